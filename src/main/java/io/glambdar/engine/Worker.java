package io.glambdar.engine;

import io.glambdar.ipc.WorkerConnection;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.sandbox.Sandbox;

/**
 * A started container whose worker has connected and loaded the function (or reported why it could not).
 * Used by one invocation at a time.
 */
final class Worker {

    final DeployedFunction function;
    final Sandbox sandbox;
    final WorkerConnection connection;
    final WorkerHello hello;
    private int uses;
    private long idleSinceNanos = System.nanoTime();
    // What the module printed while loading belongs to the first invocation that uses this worker.
    private String loadLogs;

    Worker(DeployedFunction function, Sandbox sandbox, WorkerConnection connection, WorkerHello hello) {
        this.function = function;
        this.sandbox = sandbox;
        this.connection = connection;
        this.hello = hello;
        this.loadLogs = hello.logs() == null ? "" : hello.logs();
    }

    boolean ready() {
        return hello.ready();
    }

    /** Marks the start of an invocation; returns the load-time output not yet reported. */
    String beginUse() {
        uses++;
        String logs = loadLogs;
        loadLogs = "";
        return logs;
    }

    int uses() {
        return uses;
    }

    void markIdle() {
        idleSinceNanos = System.nanoTime();
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    void destroy() {
        sandbox.destroy();
    }
}

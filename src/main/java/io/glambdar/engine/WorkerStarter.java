package io.glambdar.engine;

import io.glambdar.function.FunctionSettings;
import io.glambdar.ipc.WorkerConnection;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.sandbox.ContainerSpec;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.Sandboxes;

import java.io.IOException;
import java.io.InterruptedIOException;

/** The cold path: a new container, its worker's connection, and the worker's report on loading the function. */
final class WorkerStarter {

    private final Sandboxes sandboxes;

    WorkerStarter(Sandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    /**
     * Starts a worker for {@code fn}. The attempt holds the sandbox while it starts, so an expiring attempt
     * interrupts the start; on any failure the sandbox is destroyed.
     */
    Worker start(DeployedFunction fn, Attempt attempt) throws IOException {
        Sandbox sandbox = sandboxes.launch(spec(fn));
        if (!attempt.hold(sandbox)) {
            throw new InterruptedIOException("the invocation expired while its container was created");
        }
        try {
            WorkerConnection connection = sandbox.connect();
            WorkerHello hello = connection.readHello();
            return new Worker(fn, sandbox, connection, hello);
        } catch (IOException | RuntimeException e) {
            throw new WorkerStartException(sandbox, e);
        }
    }

    static ContainerSpec spec(DeployedFunction fn) {
        FunctionSettings settings = fn.settings();
        return new ContainerSpec(fn.name(), fn.codeDir(), settings.memoryMb(), settings.cpus(), settings.env());
    }

    /** The container started but its worker never became ready; keeps the sandbox to explain why. */
    static final class WorkerStartException extends IOException {
        final transient Sandbox sandbox;

        WorkerStartException(Sandbox sandbox, Throwable cause) {
            super(cause.getMessage(), cause);
            this.sandbox = sandbox;
        }
    }
}

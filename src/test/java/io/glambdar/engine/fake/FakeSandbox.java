package io.glambdar.engine.fake;

import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxExit;
import io.glambdar.sandbox.SandboxExitedException;
import io.glambdar.sandbox.SandboxSpec;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** A sandbox whose every step the test performs: created, worker connected, exited, removed. */
public final class FakeSandbox implements Sandbox {

    public final SandboxSpec spec;
    private final CompletableFuture<WorkerChannel> connection = new CompletableFuture<>();
    private final CompletableFuture<Void> removed = new CompletableFuture<>();
    private final boolean removeAtOnce;
    private volatile boolean started;
    private volatile boolean connecting;
    private volatile boolean interrupted;
    private volatile boolean destroyed;
    private volatile FakeWorker worker;
    private volatile SandboxExit exit = SandboxExit.UNKNOWN;
    private volatile String printed = "";

    FakeSandbox(SandboxSpec spec, boolean removeAtOnce) {
        this.spec = spec;
        this.removeAtOnce = removeAtOnce;
    }

    // ---------------------------------------------------------------- what the test makes happen

    /** The container runs and its worker connects, ready. */
    public FakeWorker ready() {
        return connects(FakeWorker.readyHello());
    }

    public FakeWorker connects(WorkerHello hello) {
        return connects(new FakeWorker(hello));
    }

    /** The container runs and {@code connected} connects (a worker the test set up beforehand). */
    public FakeWorker connects(FakeWorker connected) {
        started = true;
        worker = connected;
        connection.complete(connected);
        return connected;
    }

    /** Docker started the container (its worker has not connected yet). */
    public void running() {
        started = true;
    }

    /** The process has printed {@code output} so far (Docker's record of it), still running. */
    public void printed(String output) {
        printed = output;
    }

    /** The process ends before its worker connects (e.g. a bad NODE_OPTIONS). */
    public void exitsBeforeConnecting(int code, String output) {
        started = true;
        exit = new SandboxExit(code, false);
        printed = output;
        connection.completeExceptionally(new SandboxExitedException("the container exited before its worker connected"));
    }

    /** The process ended (for explaining a crash afterwards). */
    public void exited(int code, boolean oomKilled, String output) {
        exit = new SandboxExit(code, oomKilled);
        printed = output;
    }

    /** Docker refuses to create or start it. */
    public void dockerFails(String message) {
        connection.completeExceptionally(new SandboxException(message));
    }

    /** Docker finished removing it (for sandboxes the test removes by hand). */
    public void finishRemoval() {
        removed.complete(null);
    }

    public boolean destroyed() {
        return destroyed;
    }

    public boolean interrupted() {
        return interrupted;
    }

    public FakeWorker worker() {
        return worker;
    }

    // ---------------------------------------------------------------- Sandbox

    @Override
    public String key() {
        return spec.functionName() + "@" + Integer.toHexString(System.identityHashCode(this));
    }

    /** Waits until the engine waits for the worker (so it holds this sandbox). */
    public void awaitConnecting() {
        Until.holds("the engine connects to " + key(), () -> connecting);
    }

    @Override
    public WorkerChannel connect() throws IOException {
        connecting = true;
        try {
            return connection.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public void interrupt() {
        interrupted = true;
        connection.completeExceptionally(new InterruptedIOException("sandbox interrupted"));
        FakeWorker current = worker;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void destroy() {
        destroyed = true;
        interrupt();
        if (removeAtOnce) {
            removed.complete(null);
        }
    }

    @Override
    public CompletableFuture<Void> removed() {
        return removed;
    }

    /** Like Docker's: once the container is destroyed, how it ended and what it printed are gone with it. */
    @Override
    public SandboxExit exit(Duration wait) {
        return destroyed ? SandboxExit.UNKNOWN : exit;
    }

    @Override
    public String logs(Instant since, int maxBytes, Duration wait) {
        return destroyed ? "" : printed;
    }
}

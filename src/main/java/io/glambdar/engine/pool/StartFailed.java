package io.glambdar.engine.pool;

import io.glambdar.sandbox.Sandbox;

/**
 * The container an invocation waited for did not start: the backend failed, its process exited, or the invocation's
 * deadline came first. Carries the sandbox (when there is one) so the failure can be explained with its exit status
 * and what it printed.
 */
public final class StartFailed extends Exception {

    private final transient Sandbox sandbox;
    private final boolean deadlinePassed;
    private final transient Runnable cleanUp;

    /** @param cleanUp destroys the sandbox once the failure has been explained (null: nothing to do) */
    StartFailed(Sandbox sandbox, Throwable cause, Runnable cleanUp) {
        super(cause.getMessage(), cause, false, false);
        this.sandbox = sandbox;
        this.deadlinePassed = false;
        this.cleanUp = cleanUp;
    }

    private StartFailed(Sandbox sandbox) {
        super("the invocation's deadline passed while its container was starting", null, false, false);
        this.sandbox = sandbox;
        this.deadlinePassed = true;
        this.cleanUp = null;
    }

    static StartFailed deadlinePassed(Sandbox sandbox) {
        return new StartFailed(sandbox);
    }

    /** The sandbox that failed, or null when it was never launched. */
    public Sandbox sandbox() {
        return sandbox;
    }

    /** Lets the failed sandbox go, once its exit status and output have been read. Call exactly once. */
    public void cleanUp() {
        if (cleanUp != null) {
            cleanUp.run();
        }
    }

    /** The invocation stopped waiting at its deadline (the start itself may still succeed, for someone else). */
    public boolean deadlinePassed() {
        return deadlinePassed;
    }
}

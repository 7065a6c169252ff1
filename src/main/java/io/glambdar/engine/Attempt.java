package io.glambdar.engine;

import io.glambdar.sandbox.Sandbox;

/**
 * One invocation's hold on the sandbox it is using, so that its timeout can interrupt it from another thread:
 * expiring interrupts the sandbox, which fails the blocked accept or read at once; the invoking thread then collects
 * what the function printed and destroys the sandbox.
 */
final class Attempt {

    private final long deadlineNanos;
    private Sandbox sandbox;
    private boolean expired;

    /** @param deadlineNanos when it expires, on the {@link System#nanoTime()} clock */
    Attempt(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    /** Attaches the sandbox now in use; if the attempt already expired, destroys it and returns false. */
    synchronized boolean hold(Sandbox current) {
        if (expired) {
            current.destroy();
            return false;
        }
        sandbox = current;
        return true;
    }

    /** Detaches the sandbox (it outlives the invocation, e.g. back to a pool): a late timeout must not kill it. */
    synchronized void letGo() {
        sandbox = null;
    }

    synchronized void expire() {
        expired = true;
        if (sandbox != null) {
            sandbox.interrupt();
        }
    }

    synchronized boolean expired() {
        return expired;
    }
}

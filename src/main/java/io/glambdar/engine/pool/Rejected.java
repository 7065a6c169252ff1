package io.glambdar.engine.pool;

/** The pool turned an invocation away before it ran: no capacity, no function, or no server. */
public final class Rejected extends Exception {

    public enum Reason {
        /** No capacity in time: retry later. */
        OVERLOADED,
        /** Its deployment was retired (deleted or replaced). */
        GONE,
        /** The server is shutting down. */
        SHUTTING_DOWN,
        /** It needs more memory than the whole budget: it can never run here. */
        TOO_LARGE
    }

    private final Reason reason;

    Rejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

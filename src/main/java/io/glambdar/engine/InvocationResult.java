package io.glambdar.engine;

import java.util.List;
import java.util.Map;

/** How one invocation ended. Every invocation gets an id, also when it failed, so its logs can be found. */
public sealed interface InvocationResult {

    String invocationId();

    /** What the function printed (stdout and stderr) during this invocation. */
    String logs();

    /** From arrival at the engine to the end: waiting, container start and the function's own run. */
    long durationMillis();

    /** Whether this invocation paid for starting its container (no warm one was ready). */
    boolean coldStart();

    /** Container start and code load this invocation waited for; 0 when a warm container served it. */
    long initDurationMillis();

    /**
     * Peak resident memory of the function's process, in bytes, as its worker reported it with the reply; null when
     * unknown (the process crashed or was stopped before replying, or it never ran). In reuse mode the process has
     * served earlier invocations too, so this is its peak so far.
     */
    Long maxMemoryBytes();

    /** How it ended, in the words of records, reports and metrics. */
    default Outcome outcome() {
        return switch (this) {
            case Completed ignored -> Outcome.OK;
            case Failed failed -> switch (failed.failure()) {
                case TIMEOUT -> Outcome.TIMEOUT;
                case OVERLOADED -> Outcome.THROTTLED;
                case FUNCTION_ERROR, UNAVAILABLE, GONE -> Outcome.ERROR;
            };
        };
    }

    /**
     * The HTTP status its caller gets: the function's own, or the server's when it failed (502 its code failed, 504
     * timed out, 429 no capacity, 503 could not run, 404 gone). Records and reports give this, so that they agree
     * with what the caller saw.
     */
    default int httpStatus() {
        return switch (this) {
            case Completed ok -> ok.statusCode();
            case Failed failed -> switch (failed.failure()) {
                case FUNCTION_ERROR -> 502;
                case TIMEOUT -> 504;
                case OVERLOADED -> 429;
                case UNAVAILABLE -> 503;
                case GONE -> 404;
            };
        };
    }

    /**
     * The handler returned a response (whatever its final status code).
     *
     * @param statusCode from 200 to 599: a 1xx cannot end a response, so a handler returning one failed instead
     */
    record Completed(String invocationId, int statusCode, Map<String, List<String>> headers, byte[] body,
                     String logs, long durationMillis, boolean coldStart, long initDurationMillis,
                     Long maxMemoryBytes) implements InvocationResult {

        public Completed {
            if (statusCode < 200 || statusCode > 599) {
                throw new IllegalArgumentException("a response's final status is from 200 to 599, got " + statusCode);
            }
        }

        /** Without a memory figure. */
        public Completed(String invocationId, int statusCode, Map<String, List<String>> headers, byte[] body,
                         String logs, long durationMillis, boolean coldStart, long initDurationMillis) {
            this(invocationId, statusCode, headers, body, logs, durationMillis, coldStart, initDurationMillis, null);
        }
    }

    /**
     * The invocation produced no response of the function's own.
     *
     * @param code              machine-readable cause, e.g. {@code handler_threw}, {@code timeout}
     * @param message           for the user: what went wrong and what to do
     * @param retryAfterSeconds when overloaded, how long to wait before retrying; otherwise 0
     */
    record Failed(String invocationId, Failure failure, String code, String message, String logs,
                  long durationMillis, int retryAfterSeconds, boolean coldStart, long initDurationMillis,
                  Long maxMemoryBytes) implements InvocationResult {

        /**
         * The code of an invocation that needs more memory than the server's whole budget (a server restarted with a
         * smaller GLAMBDAR_MAX_MEMORY_MB than its functions were deployed under): it cannot run until that changes.
         */
        public static final String TOO_LARGE = "too_large";

        /** Without a memory figure. */
        public Failed(String invocationId, Failure failure, String code, String message, String logs,
                      long durationMillis, int retryAfterSeconds, boolean coldStart, long initDurationMillis) {
            this(invocationId, failure, code, message, logs, durationMillis, retryAfterSeconds, coldStart,
                    initDurationMillis, null);
        }
    }

    enum Failure {
        /** The function's code failed: threw, bad return, missing handler, crashed, ran out of memory. */
        FUNCTION_ERROR,
        /** It did not reply within its timeout and was killed. */
        TIMEOUT,
        /** No capacity to run it now; retrying later may work. */
        OVERLOADED,
        /** The runtime could not run it (Docker failed, shutting down). */
        UNAVAILABLE,
        /** The function was deleted (or replaced) before the invocation could start: it never ran. */
        GONE
    }
}

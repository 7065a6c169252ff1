package io.glambdar.ipc;

import java.util.List;
import java.util.Map;

/** The worker's answer to one invocation. */
public sealed interface WorkerReply {

    /** The invocation id the reply belongs to. */
    String id();

    /** What the invocation printed to stdout/stderr ("" if nothing; cut to {@link ReplyLimits#maxLogBytes()}). */
    String logs();

    /**
     * Peak resident memory of the worker's process so far, in bytes, as it reported it with the reply (in reuse mode
     * the container's process has served earlier invocations too, so it is the peak across them); null when it sent
     * none or a value no process could have ({@link ReplyLimits#MAX_RSS_BYTES}).
     */
    Long maxRssBytes();

    /**
     * The handler returned a valid response.
     *
     * @param headers lower-case names; a header the function gave several values has several entries
     * @param body    the exact bytes to send to the HTTP client
     */
    record Success(String id, int statusCode, Map<String, List<String>> headers, byte[] body, String logs,
                   Long maxRssBytes) implements WorkerReply {
    }

    /**
     * The invocation failed inside the worker, or its response broke the {@link ReplyLimits}.
     *
     * @param code  {@code handler_threw}, {@link #BAD_RETURN}, {@link #RESPONSE_TOO_LARGE} or {@link #INVALID_HEADER}
     * @param stack the error's stack, or null when there is none (a non-Error throw, a bad return)
     */
    record Failure(String id, String code, String message, String stack, String logs, Long maxRssBytes)
            implements WorkerReply {

        /** The handler threw or rejected, or an error nobody caught ended its process mid-invocation. */
        public static final String HANDLER_THREW = "handler_threw";

        /** The handler's return value is not a response it may give (the worker says so too, for most). */
        public static final String BAD_RETURN = "bad_return";

        /** The body is over {@link ReplyLimits#maxBodyBytes()} (SPEC: a 502 with this code). */
        public static final String RESPONSE_TOO_LARGE = "response_too_large";

        /** A header name is not a token, a value has a control character, or there are too many or too long headers. */
        public static final String INVALID_HEADER = "invalid_header";
    }
}

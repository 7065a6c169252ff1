package io.glambdar.store.invocations;

import java.time.Instant;

/**
 * One invocation's outcome and what the function printed, as {@code GET /logs/:name/:id} shows it.
 *
 * @param status         {@code ok}, {@code error} or {@code timeout}
 * @param statusCode     the function's status code, or null when it failed
 * @param code           the failure code ({@code handler_threw}, {@code timeout}, ...), or null when it succeeded
 * @param coldStart      whether this invocation waited for its container to start
 * @param initDurationMs container start and code load this invocation waited for; 0 when a warm container served it
 */
public record InvocationRecord(String invocationId, Instant startedAt, long durationMs, String status,
                               Integer statusCode, String code, boolean coldStart, long initDurationMs,
                               String logs) {

    InvocationRecord withLogs(String newLogs) {
        return new InvocationRecord(invocationId, startedAt, durationMs, status, statusCode, code, coldStart,
                initDurationMs, newLogs);
    }
}

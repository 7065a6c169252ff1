package io.glambdar.store.invocations;

import java.time.Instant;

/**
 * One invocation's outcome, its report and what the function printed, as {@code GET /logs/:name[/:id]} shows it.
 *
 * @param status         {@code ok}, {@code error}, {@code timeout} or {@code throttled}: the same as {@code outcome},
 *                       kept under its first name for clients that read it
 * @param statusCode     the HTTP status the caller got: the function's own, or the server's when it failed (429,
 *                       502, 504...)
 * @param code           the failure code ({@code handler_threw}, {@code timeout}, {@code overloaded}, ...), or null
 *                       when it succeeded
 * @param coldStart      whether this invocation waited for its container to start
 * @param initDurationMs container start and code load this invocation waited for; 0 when a warm container served it
 * @param maxMemoryBytes peak resident memory of the function's process, in bytes (in reuse mode its peak so far,
 *                       across the invocations it served); null when unknown (it crashed or never ran)
 * @param outcome        {@code ok}, {@code error}, {@code timeout} or {@code throttled} (429: it never reached the
 *                       function)
 */
public record InvocationRecord(String invocationId, Instant startedAt, long durationMs, String status,
                               Integer statusCode, String code, boolean coldStart, long initDurationMs,
                               Long maxMemoryBytes, String outcome, String logs) {
}

package io.glambdar.usecase.logs;

import java.time.Instant;

/** One line of a live log ({@code GET /logs/:name?follow=true}), as SPEC's Observability names them. */
public sealed interface LogEvent {

    /** Roughly what the event holds, in bytes: what a follower's buffer is bounded by. */
    long size();

    /** A line the function printed, without its line break. */
    record Line(Instant ts, String invocationId, String stream, String line) implements LogEvent {
        @Override
        public long size() {
            return 96L + 2L * line.length();
        }
    }

    /** An invocation ended; {@code statusCode} is the HTTP status its caller got. */
    record Report(String invocationId, String outcome, int statusCode, long durationMs, long initDurationMs,
                  boolean coldStart, Long maxMemoryBytes) implements LogEvent {
        @Override
        public long size() {
            return 256;
        }
    }

    /** The server ends the stream. */
    record End(Reason reason) implements LogEvent {
        @Override
        public long size() {
            return 0;
        }
    }

    /** Why the server ended a stream. */
    enum Reason {
        /** The function was deleted. */
        DELETED,
        /** The follower did not keep up and was dropped rather than slow the invocations down. */
        TOO_SLOW,
        /** The server is stopping: the stream just ends, with no line saying so (SPEC names none). */
        SHUTDOWN;

        /** {@code deleted}, {@code too_slow} or {@code shutdown}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

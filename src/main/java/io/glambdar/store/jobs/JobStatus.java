package io.glambdar.store.jobs;

import java.util.Locale;

/** Where an asynchronous invocation stands; stored (and shown by the API) as the lower-case name. */
public enum JobStatus {
    /** Waiting for its first attempt, or for a retry at {@link Job#nextAttemptAt()}. */
    QUEUED,
    /** An attempt holds a lease on it. */
    RUNNING,
    SUCCEEDED,
    /** Its last attempt failed with no retry left: the dead-letter list. */
    FAILED,
    /** It outlived its maximum age before an attempt succeeded. */
    EXPIRED,
    /** Cancelled while queued (by a user, or because its function was deleted). */
    CANCELLED;

    /** The stored and displayed name: {@code "queued"}, {@code "running"}, … */
    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a stored name back. */
    public static JobStatus fromDbName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Whether the job has ended (it has a {@link Job#finishedAt()} and counts for retention). */
    public boolean isFinished() {
        return this != QUEUED && this != RUNNING;
    }

    /** Whether {@code POST /invocations/:id/retry} may queue it again. */
    public boolean isRetryable() {
        return this == FAILED || this == EXPIRED || this == CANCELLED;
    }
}

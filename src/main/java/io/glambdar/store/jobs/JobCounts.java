package io.glambdar.store.jobs;

/** A function's jobs waiting to run (queued, including those waiting for a retry) and dead (failed). */
public record JobCounts(long queued, long failed) {

    public static final JobCounts NONE = new JobCounts(0, 0);
}

package io.glambdar.usecase.async;

import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionName;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobStatus;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /invocations[/:id]}, {@code DELETE /invocations/:id} and {@code POST /invocations/:id/retry}: the
 * records of asynchronous invocations, cancelling a queued one, and queueing an ended one again.
 */
public final class AsyncInvocations {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    /** No asynchronous invocation has that id (or its record is past retention). */
    public static final class JobNotFoundException extends RuntimeException {
        JobNotFoundException(String id) {
            super("no asynchronous invocation '" + id + "' (records are kept for GLAMBDAR_ASYNC_RETENTION_HOURS;"
                    + " see GET /invocations)");
        }
    }

    /** The job is not in a state that allows what was asked (409). */
    public static final class JobStateException extends RuntimeException {
        JobStateException(String message) {
            super(message);
        }
    }

    /** A filter or limit of the list that cannot be used (400). */
    public static final class BadQueryException extends RuntimeException {
        BadQueryException(String message) {
            super(message);
        }
    }

    private final FunctionCatalog catalog;
    private final JobRepository jobs;
    private final Runnable jobQueued;
    private final Clock clock;

    /** @param jobQueued told after a job is queued again, so that an idle dispatcher starts it at once */
    public AsyncInvocations(FunctionCatalog catalog, JobRepository jobs, Runnable jobQueued, Clock clock) {
        this.catalog = catalog;
        this.jobs = jobs;
        this.jobQueued = jobQueued;
        this.clock = clock;
    }

    /** @throws JobNotFoundException for an unknown id */
    public Job get(String id) {
        return jobs.find(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    /**
     * The version the job would run on now, when it is not pinned to one: its function's active version, if the
     * function it was queued for is still deployed (null otherwise).
     */
    public Integer activeVersionFor(Job job) {
        try {
            StoredFunction function = catalog.find(job.functionName());
            return function.functionId().equals(job.functionId()) ? function.active().version() : null;
        } catch (FunctionNotFoundException e) {
            return null; // deleted (its queued jobs are being cancelled)
        }
    }

    /**
     * Newest first.
     *
     * @param function null or blank for every function
     * @param status   null or blank for every status
     * @param limit    null for {@value #DEFAULT_LIMIT}
     * @throws BadQueryException for an invalid name, an unknown status or a limit out of 1..{@value #MAX_LIMIT}
     */
    public List<Job> list(String function, String status, String limit) {
        String name = blank(function) ? null : FunctionName.validate(function);
        JobStatus wanted = null;
        if (!blank(status)) {
            try {
                wanted = JobStatus.fromDbName(status.strip());
            } catch (IllegalArgumentException e) {
                throw new BadQueryException("unknown status '" + status.strip() + "': use queued, running,"
                        + " succeeded, failed, expired or cancelled");
            }
            if (!wanted.dbName().equals(status.strip().toLowerCase(Locale.ROOT))) {
                throw new BadQueryException("unknown status '" + status.strip() + "'");
            }
        }
        int n = DEFAULT_LIMIT;
        if (!blank(limit)) {
            try {
                n = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw new BadQueryException("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
                        + limit + "'");
            }
        }
        return jobs.list(name, wanted, n);
    }

    /**
     * @throws JobNotFoundException for an unknown id
     * @throws JobStateException    when the job is not queued
     */
    public void cancel(String id) {
        get(id);
        if (!jobs.cancel(id, now(), new JobError("cancelled", "cancelled by DELETE /invocations/" + id))) {
            throw new JobStateException("invocation '" + id + "' is " + get(id).status().dbName()
                    + "; only a queued invocation can be cancelled");
        }
    }

    /**
     * Queues a failed, expired or cancelled job again, with fresh attempts and its age counted from now.
     *
     * @throws JobNotFoundException for an unknown id
     * @throws JobStateException    when it is queued, running or succeeded
     */
    public Job retry(String id) {
        Job job = get(id);
        String functionId;
        try {
            // A job whose function was deleted runs for the one deployed since under its name.
            functionId = catalog.find(job.functionName()).functionId();
        } catch (FunctionNotFoundException e) {
            throw new JobStateException("function '" + job.functionName() + "' of invocation '" + id + "' is not"
                    + " deployed; deploy it, then retry the invocation");
        }
        if (!jobs.retry(id, now(), functionId)) {
            throw new JobStateException("invocation '" + id + "' is " + get(id).status().dbName()
                    + "; only a failed, expired or cancelled invocation can be retried");
        }
        jobQueued.run();
        return get(id);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

package io.glambdar.usecase.async;

import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.NewJob;
import io.glambdar.usecase.FunctionReference;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code POST /async/:name[@N]}: checks that the function (and version) exists, then stores the job durably; it runs
 * later, under the retry policy of the version it was accepted for.
 */
public final class AcceptInvocation {

    /** Headers the server sets on every attempt (a client's own values for them are dropped). */
    public static final String INVOCATION_ID_HEADER = "x-glambdar-invocation-id";
    public static final String ATTEMPT_HEADER = "x-glambdar-attempt";
    /** Set on the firings of a schedule: its cron expression. */
    public static final String SCHEDULE_HEADER = "x-glambdar-schedule";

    /** SPEC: the same {@code Idempotency-Key} for the same function within 24 h returns the first job. */
    public static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    /**
     * @param job   the job stored, or the earlier one with the same idempotency key
     * @param isNew false when an earlier job with the same key was returned and nothing was queued
     */
    public record Accepted(Job job, boolean isNew) {
    }

    private final FunctionCatalog catalog;
    private final JobRepository jobs;
    private final Runnable jobQueued;
    private final Clock clock;

    /** @param jobQueued told after each new job is stored, so that an idle dispatcher starts it at once */
    public AcceptInvocation(FunctionCatalog catalog, JobRepository jobs, Runnable jobQueued, Clock clock) {
        this.catalog = catalog;
        this.jobs = jobs;
        this.jobQueued = jobQueued;
        this.clock = clock;
    }

    /**
     * @param reference      {@code name} (the job runs on the version active when it runs) or {@code name@N}
     * @param callbackUrl    null for none; already checked to be an absolute http(s) URL
     * @param idempotencyKey null for none
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when the version named is not kept
     */
    public Accepted accept(String reference, JobRequest request, String callbackUrl, String idempotencyKey) {
        FunctionReference parsed = FunctionReference.parse(reference);
        FunctionReference.Resolved resolved = parsed.resolve(catalog);
        StoredFunction function = resolved.function();
        Deployment version = resolved.version();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored
        NewJob job = new NewJob(UUID.randomUUID().toString(), function.name(), function.functionId(),
                parsed.version(), request, version.settings().async(),
                now, callbackUrl, idempotencyKey);
        Job stored = jobs.enqueue(job, IDEMPOTENCY_WINDOW);
        boolean isNew = stored.id().equals(job.id());
        if (isNew) {
            jobQueued.run();
        }
        return new Accepted(stored, isNew);
    }
}

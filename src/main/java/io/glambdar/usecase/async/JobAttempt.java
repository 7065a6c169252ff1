package io.glambdar.usecase.async;

import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobOutcome;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.usecase.FunctionReference;
import io.glambdar.usecase.InvokeFunction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one claimed attempt of an asynchronous invocation and records how it ended: succeeded, failed for good, queued
 * again for a retry (after a delay that doubles) or for want of capacity (attempt given back), expired, or cancelled
 * because its function is gone. Every change names the lease owner, so an attempt whose lease was lost changes
 * nothing.
 */
final class JobAttempt {

    /** Why a job past its age ended unrun (the dispatcher expires those queued with it, all at once). */
    static final JobError OVERDUE = overdue("");
    /** When the engine had no capacity, or could not run it at all, try again after this. */
    static final Duration NO_CAPACITY_DELAY = Duration.ofSeconds(1);

    private final FunctionCatalog catalog;
    private final InvokeFunction invokeFunction;
    private final JobRepository jobs;
    private final RetryDelay retryDelay;
    private final Clock clock;
    private final AttemptListener listener;
    private final Delay delay;

    /** @param delay when a wait for capacity is shown as queued (see {@link CapacityWait}) */
    JobAttempt(FunctionCatalog catalog, InvokeFunction invokeFunction, JobRepository jobs,
               RetryDelay retryDelay, Clock clock, AttemptListener listener, Delay delay) {
        this.delay = delay;
        this.catalog = catalog;
        this.invokeFunction = invokeFunction;
        this.jobs = jobs;
        this.retryDelay = retryDelay;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * @param job        as claimed: running under {@code owner}, its attempt counted
     * @param engineDone told once the engine is done with the attempt, before its end is recorded
     */
    void run(Job job, String owner, Runnable engineDone) {
        Instant now = now();
        if (!now.isBefore(job.expiresAt())) {
            jobs.expire(job.id(), owner, now, expired(job));
            return;
        }
        StoredFunction function = currentLife(job);
        if (function == null) {
            jobs.cancelRunning(job.id(), owner, now, JobError.functionDeleted(job.functionName()));
            return;
        }
        Deployment version;
        try {
            version = job.version() == null ? function.active() : catalog.version(function, job.version());
        } catch (VersionNotFoundException e) {
            jobs.complete(job.id(), owner, JobOutcome.failed(null, new JobError("version_not_found",
                    e.getMessage()), null, null, now));
            return;
        }
        CapacityWait wait = new CapacityWait(jobs, job.id(), owner, clock, delay);
        InvokeFunction.Invoked invoked = invokeFunction.invokeAttempt(new FunctionReference.Resolved(function, version),
                job.id(), request(job), wait);
        wait.end();
        engineDone.run();
        InvocationResult result = invoked.result();
        if (wait.stillWaiting() && spendsAttempt(result) && !wait.start()) {
            return; // it failed before it was admitted, and was cancelled (or expired) meanwhile
        }
        if (!(result instanceof InvocationResult.Failed failed && failed.failure() == InvocationResult.Failure.GONE)) {
            listener.attempted(job.functionName(), result.outcome());
        }
        record(job, owner, version.version(), result);
    }

    /** Whether the attempt counts: it ran, or its container failed to start for it. */
    private static boolean spendsAttempt(InvocationResult result) {
        return !(result instanceof InvocationResult.Failed failed) || switch (failed.failure()) {
            case FUNCTION_ERROR, TIMEOUT -> true;
            case OVERLOADED, UNAVAILABLE, GONE -> false;
        };
    }

    private void record(Job job, String owner, int version, InvocationResult result) {
        Instant end = now();
        switch (result) {
            case InvocationResult.Completed ok -> jobs.complete(job.id(), owner, JobOutcome.succeeded(version,
                    new JobResult(ok.statusCode(), ok.headers(), ok.body()), ok.logs(), report(ok), end));
            case InvocationResult.Failed failed -> {
                switch (failed.failure()) {
                    case FUNCTION_ERROR, TIMEOUT -> {
                        JobError error = new JobError(failed.code(), failed.message());
                        if (job.attempts() > job.policy().retries()) {
                            jobs.complete(job.id(), owner, JobOutcome.failed(version, error, failed.logs(),
                                    report(failed), end));
                        } else {
                            // A retry due after the job's age runs out is expired then, by the dispatcher.
                            jobs.requeue(job.id(), owner, end.plus(retryDelay.after(job.attempts(),
                                    job.policy().retryDelay())), true, version, error, failed.logs(),
                                    report(failed));
                        }
                    }
                    case OVERLOADED, UNAVAILABLE -> {
                        if (failed.code().equals(InvocationResult.Failed.TOO_LARGE)) {
                            // It can never run as the server is set up: no use trying every second until its age
                            // runs out. It fails now, a dead letter to retry once the memory budget is raised.
                            jobs.complete(job.id(), owner, JobOutcome.failed(version, new JobError(failed.code(),
                                    failed.message()), failed.logs(), report(failed), end));
                        } else {
                            // It never ran: the attempt is given back (already, if it waited for capacity).
                            jobs.requeue(job.id(), owner, end.plus(Duration.ofSeconds(Math.max(
                                    NO_CAPACITY_DELAY.toSeconds(), failed.retryAfterSeconds()))), false, null, null,
                                    null, null);
                        }
                    }
                    // Its version was replaced or the function deleted while it waited, or it was cancelled then:
                    // look again at once (a cancelled job is no longer leased, and stays as it is).
                    case GONE -> jobs.requeue(job.id(), owner, end, false, null, null, null, null);
                }
            }
        }
    }

    /** The function the job was accepted for, unless it was deleted since (a later deploy of the name is another). */
    private StoredFunction currentLife(Job job) {
        try {
            StoredFunction function = catalog.find(job.functionName());
            return function.functionId().equals(job.functionId()) ? function : null;
        } catch (FunctionNotFoundException e) {
            return null;
        }
    }

    /** The request as accepted, with the server's own headers for this attempt. */
    static InvocationRequest request(Job job) {
        JobRequest accepted = job.request();
        Map<String, List<String>> headers = new LinkedHashMap<>(accepted.headers());
        headers.put(AcceptInvocation.INVOCATION_ID_HEADER, List.of(job.id()));
        headers.put(AcceptInvocation.ATTEMPT_HEADER, List.of(Integer.toString(job.attempts())));
        return new InvocationRequest(accepted.method(), accepted.path(), accepted.query(), headers, accepted.body());
    }

    private static JobReport report(InvocationResult result) {
        return new JobReport(result.durationMillis(), result.initDurationMillis(), result.coldStart(),
                result.maxMemoryBytes(), result.outcome().label());
    }

    /** Why this job, claimed just before its age ran out, ended unrun. */
    static JobError expired(Job job) {
        JobError overdue = overdue(" of " + job.policy().maxAge().toMillis() / 1000.0 + " s");
        return job.error() == null ? overdue : new JobError(overdue.code(), overdue.message()
                + "; its last attempt failed with: " + job.error().message());
    }

    private static JobError overdue(String detail) {
        return new JobError("expired", "the invocation was not done within its maximum age" + detail
                + " (\"async\": {\"maxAgeSeconds\"} in glambdar.json)");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

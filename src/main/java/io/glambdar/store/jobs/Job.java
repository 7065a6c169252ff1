package io.glambdar.store.jobs;

import io.glambdar.function.AsyncPolicy;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous invocation as stored: everything {@code GET /invocations/:id} shows, and what the worker needs.
 *
 * @param version        the version asked for; null: the version active when it runs
 * @param ranVersion     the version its last attempt that reached the function ran on (recorded when the attempt
 *                       ended: succeeded, failed, or queued for a retry); null before one did
 * @param attempts       attempts started so far (0 while none has)
 * @param ageFrom        when its age counts from: its creation, or its last manual retry
 * @param nextAttemptAt  when a queued job is due
 * @param startedAt      when its last attempt started; null before the first
 * @param finishedAt     when it ended; null while queued or running
 * @param leaseOwner     the worker running it; null unless running
 * @param leaseUntil     when that lease runs out; null unless running
 * @param result         null unless an attempt succeeded
 * @param error          null unless it failed, expired or was cancelled with a reason
 * @param logs           what the function printed in its last attempt; may be null
 * @param report         the report of its last attempt; may be null
 * @param callback       null when none was asked for
 * @param idempotencyKey null when none was given
 */
public record Job(String id, String functionName, String functionId, Integer version, Integer ranVersion,
                  JobStatus status,
                  int attempts, AsyncPolicy policy, Instant createdAt, Instant ageFrom, Instant nextAttemptAt,
                  Instant startedAt, Instant finishedAt, String leaseOwner, Instant leaseUntil, JobRequest request,
                  JobResult result, JobError error, String logs, JobReport report, JobCallback callback,
                  String idempotencyKey) {

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(ageFrom, "ageFrom");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(request, "request");
    }

    /** The instant after which the job may no longer start an attempt. */
    public Instant expiresAt() {
        return ageFrom.plus(policy.maxAge());
    }
}

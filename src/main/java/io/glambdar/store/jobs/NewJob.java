package io.glambdar.store.jobs;

import io.glambdar.function.AsyncPolicy;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous invocation being accepted.
 *
 * @param id             the invocation id, new
 * @param functionId     the life of the function it was accepted for (as in {@code FunctionRecord.functionId})
 * @param version        the version to run; null for the version active when it runs
 * @param callbackUrl    null when none was asked for
 * @param idempotencyKey null when none was given
 */
public record NewJob(String id, String functionName, String functionId, Integer version, JobRequest request,
                     AsyncPolicy policy, Instant createdAt, String callbackUrl, String idempotencyKey) {

    public NewJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}

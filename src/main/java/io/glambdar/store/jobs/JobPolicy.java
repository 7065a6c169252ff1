package io.glambdar.store.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * How a job is retried, fixed when it is accepted (from the function's {@code "async"} settings of that time).
 *
 * @param maxRetries attempts after the first one that failed
 * @param retryDelay the delay before the first retry (the worker doubles it per attempt and adds jitter)
 * @param maxAge     how long after {@link Job#ageFrom()} the job may still start an attempt
 */
public record JobPolicy(int maxRetries, Duration retryDelay, Duration maxAge) {

    public JobPolicy {
        Objects.requireNonNull(retryDelay, "retryDelay");
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries < 0: " + maxRetries);
        }
    }
}

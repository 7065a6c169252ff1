package io.glambdar.function;

import java.time.Duration;
import java.util.Objects;

/**
 * How a function's asynchronous invocations are retried ({@code "async"} in its {@code glambdar.json}).
 *
 * @param retries    attempts after a first one that failed
 * @param retryDelay the delay before the first retry; it doubles per attempt, with ±20 % jitter
 * @param maxAge     how long after it was accepted (or retried by hand) a job may still start an attempt
 */
public record AsyncPolicy(int retries, Duration retryDelay, Duration maxAge) {

    public static final int DEFAULT_RETRIES = 2;
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(60);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(21_600);
    public static final AsyncPolicy DEFAULTS = new AsyncPolicy(DEFAULT_RETRIES, DEFAULT_RETRY_DELAY, DEFAULT_MAX_AGE);

    public AsyncPolicy {
        Objects.requireNonNull(retryDelay, "retryDelay");
        Objects.requireNonNull(maxAge, "maxAge");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, got " + retries);
        }
        if (retryDelay.isNegative() || !maxAge.isPositive()) {
            throw new IllegalArgumentException("retryDelay must be >= 0 and maxAge > 0");
        }
    }
}

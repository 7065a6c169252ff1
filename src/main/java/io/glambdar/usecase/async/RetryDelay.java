package io.glambdar.usecase.async;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When a failed attempt is tried again (SPEC: the delay doubles per attempt, ±20 % jitter): after attempt {@code n}
 * failed, {@code retryDelay × 2^(n-1)}, times a factor drawn from [0.8, 1.2] so that jobs that failed together do
 * not all come back at once.
 */
final class RetryDelay {

    static final double JITTER = 0.2;
    /** Doubling stops here: 2^20 times the largest first delay is already years. */
    private static final int MAX_DOUBLINGS = 20;

    private final DoubleSupplier random;

    /** @param random uniform in [0, 1) */
    RetryDelay(DoubleSupplier random) {
        this.random = random;
    }

    Duration after(int failedAttempt, Duration retryDelay) {
        int doublings = Math.min(Math.max(failedAttempt - 1, 0), MAX_DOUBLINGS);
        double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
        return Duration.ofMillis(Math.round(retryDelay.toMillis() * (double) (1L << doublings) * factor));
    }
}

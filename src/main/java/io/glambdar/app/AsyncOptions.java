package io.glambdar.app;

import java.time.Duration;
import java.util.Objects;

/**
 * How asynchronous invocations run; see README "Configuration".
 *
 * @param concurrency     most attempts at once (GLAMBDAR_ASYNC_CONCURRENCY); null: half the container capacity
 *                        (the memory budget over the default function memory), so async work never takes the last of
 *                        it from synchronous invocations
 * @param retention       how long ended jobs' records are kept (GLAMBDAR_ASYNC_RETENTION_HOURS)
 * @param callbackTimeout how long one callback POST may take (GLAMBDAR_CALLBACK_TIMEOUT_SECONDS)
 */
public record AsyncOptions(Integer concurrency, Duration retention, Duration callbackTimeout) {

    public static final double DEFAULT_RETENTION_HOURS = 168;
    public static final int DEFAULT_CALLBACK_TIMEOUT_SECONDS = 10;
    public static final AsyncOptions DEFAULTS = new AsyncOptions(null,
            Duration.ofHours((long) DEFAULT_RETENTION_HOURS), Duration.ofSeconds(DEFAULT_CALLBACK_TIMEOUT_SECONDS));

    public AsyncOptions {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(callbackTimeout, "callbackTimeout");
        if (concurrency != null && concurrency < 1) {
            throw new IllegalArgumentException("GLAMBDAR_ASYNC_CONCURRENCY must be at least 1, got " + concurrency);
        }
        if (!retention.isPositive()) {
            throw new IllegalArgumentException("GLAMBDAR_ASYNC_RETENTION_HOURS must be greater than 0");
        }
        if (!callbackTimeout.isPositive()) {
            throw new IllegalArgumentException("GLAMBDAR_CALLBACK_TIMEOUT_SECONDS must be greater than 0");
        }
    }

    /** Retention from a number of hours, fractions allowed. */
    public static Duration hours(double hours) {
        if (!(hours > 0) || Double.isInfinite(hours)) {
            throw new IllegalArgumentException("GLAMBDAR_ASYNC_RETENTION_HOURS must be a number of hours greater than"
                    + " 0 (fractions allowed), got " + hours);
        }
        return Duration.ofMillis(Math.max(1, Math.round(hours * 3_600_000)));
    }

    /** The concurrency to use under a memory budget of {@code maxMemoryMb}, for functions of {@code memoryMb}. */
    public int concurrencyFor(long maxMemoryMb, int memoryMb) {
        return concurrency != null ? concurrency : (int) Math.max(1, Math.min(10_000, maxMemoryMb / memoryMb / 2));
    }
}

package io.glambdar.function;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a function asked for in its {@code glambdar.json}: limits and environment of every container that runs it.
 *
 * @param timeout     wall-clock budget of one invocation, from arrival to reply (queueing and cold start included)
 * @param memoryMb    memory limit of the container, in MiB (swap is not allowed on top)
 * @param cpus        CPU limit of the container, in cores (0.5 = half a core)
 * @param env         extra environment variables for the function's process
 * @param reuse       whether one container may serve several invocations in a row; {@code null} means the server's
 *                    default
 * @param concurrency most invocations of this function running at once; {@code null} means no limit of its own
 * @param tmpMb       size of the container's writable {@code /tmp}, in MiB; it is memory (a tmpfs), so it counts
 *                    against {@code memoryMb}, not beside it
 * @param isPublic    whether anyone may invoke it without a key ({@code "public"}; it matters in keyed mode)
 * @param async       how its asynchronous invocations are retried and how long they may wait
 * @param schedules   when it is invoked on a schedule; empty for never
 */
public record FunctionSettings(Duration timeout, int memoryMb, double cpus, Map<String, String> env, Boolean reuse,
                               Integer concurrency, int tmpMb, boolean isPublic, AsyncPolicy async,
                               List<ScheduleSettings> schedules) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MEMORY_MB = 128;
    public static final double DEFAULT_CPUS = 0.5;
    public static final int DEFAULT_TMP_MB = 64;

    public static final FunctionSettings DEFAULTS = new FunctionSettings(DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB,
            DEFAULT_CPUS, Map.of(), null, null, DEFAULT_TMP_MB, false, AsyncPolicy.DEFAULTS, List.of());

    public FunctionSettings {
        Objects.requireNonNull(timeout, "timeout");
        env = Map.copyOf(env);
        Objects.requireNonNull(async, "async");
        schedules = List.copyOf(schedules);
        if (concurrency != null && concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (tmpMb < 1) {
            throw new IllegalArgumentException("tmpMb must be at least 1, got " + tmpMb);
        }
    }

    /** With the default {@code /tmp} and not public. */
    public FunctionSettings(Duration timeout, int memoryMb, double cpus, Map<String, String> env, Boolean reuse,
                            Integer concurrency) {
        this(timeout, memoryMb, cpus, env, reuse, concurrency, DEFAULT_TMP_MB, false);
    }

    /** With the default asynchronous policy and no schedules. */
    public FunctionSettings(Duration timeout, int memoryMb, double cpus, Map<String, String> env, Boolean reuse,
                            Integer concurrency, int tmpMb, boolean isPublic) {
        this(timeout, memoryMb, cpus, env, reuse, concurrency, tmpMb, isPublic, AsyncPolicy.DEFAULTS, List.of());
    }

    /** The reuse mode to apply, given the server-wide default for functions that did not choose. */
    public boolean reuseOr(boolean serverDefault) {
        return reuse == null ? serverDefault : reuse;
    }

    public FunctionSettings withConcurrency(Integer newConcurrency) {
        return new FunctionSettings(timeout, memoryMb, cpus, env, reuse, newConcurrency, tmpMb, isPublic, async,
                schedules);
    }
}

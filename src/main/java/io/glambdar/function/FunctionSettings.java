package io.glambdar.function;

import java.time.Duration;
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
 * @param isPublic    {@code "public": true}: anyone may invoke it, without a key and from any web site
 */
public record FunctionSettings(Duration timeout, int memoryMb, double cpus, Map<String, String> env, Boolean reuse,
                               Integer concurrency, boolean isPublic) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MEMORY_MB = 128;
    public static final double DEFAULT_CPUS = 0.5;

    public static final FunctionSettings DEFAULTS =
            new FunctionSettings(DEFAULT_TIMEOUT, DEFAULT_MEMORY_MB, DEFAULT_CPUS, Map.of(), null, null);

    /** Settings of a function that is not public. */
    public FunctionSettings(Duration timeout, int memoryMb, double cpus, Map<String, String> env, Boolean reuse,
                            Integer concurrency) {
        this(timeout, memoryMb, cpus, env, reuse, concurrency, false);
    }

    public FunctionSettings {
        Objects.requireNonNull(timeout, "timeout");
        env = Map.copyOf(env);
        if (concurrency != null && concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
    }

    /** The reuse mode to apply, given the server-wide default for functions that did not choose. */
    public boolean reuseOr(boolean serverDefault) {
        return reuse == null ? serverDefault : reuse;
    }

    public FunctionSettings withConcurrency(Integer newConcurrency) {
        return new FunctionSettings(timeout, memoryMb, cpus, env, reuse, newConcurrency, isPublic);
    }
}

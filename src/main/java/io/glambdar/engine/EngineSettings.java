package io.glambdar.engine;

import java.time.Duration;

/**
 * How the engine schedules containers; see README "Configuration".
 *
 * @param pooling             keep warm single-use containers ready (off: every invocation is a cold start)
 * @param poolMaxPerFunction  most warm containers kept for one function
 * @param poolMaxTotal        most warm containers kept across all functions
 * @param poolIdleTimeout     a function's warm containers are dropped after this long without an invocation
 * @param reuseByDefault      reuse mode for functions whose glambdar.json does not say
 * @param reuseMaxPerFunction most containers one version of a reuse-mode function runs at once
 * @param reuseMaxUses        a reuse-mode container is replaced after this many invocations
 * @param reuseIdleTimeout    a reuse-mode container is removed after this long without an invocation
 * @param maxMemoryMb         most memory all live containers may reserve together (starting, warm, busy, removing)
 * @param queueSize           most invocations waiting for capacity; beyond that, 429 at once
 * @param queueTimeout        longest wait for capacity before 429 (the function's timeout may end it sooner)
 * @param startTimeout        longest a container start may take (create, start, worker connected and loaded)
 * @param cleanupDelay        how long after an invocation its used container is destroyed and a spare booted in its
 *                            place: that work keeps the Docker daemon busy for a while, and on a small machine it
 *                            would otherwise compete with the response being sent (zero: at once)
 */
public record EngineSettings(boolean pooling, int poolMaxPerFunction, int poolMaxTotal, Duration poolIdleTimeout,
                             boolean reuseByDefault, int reuseMaxPerFunction, int reuseMaxUses,
                             Duration reuseIdleTimeout, long maxMemoryMb, int queueSize, Duration queueTimeout,
                             Duration startTimeout, Duration cleanupDelay) {

    // Defaults, shared with the command line's help (annotation values must be constants).
    public static final boolean DEFAULT_POOLING = true;
    public static final int DEFAULT_POOL_MAX = 4;
    public static final int DEFAULT_POOL_MAX_TOTAL = 32;
    public static final int DEFAULT_POOL_IDLE_SECONDS = 120;
    public static final boolean DEFAULT_REUSE = false;
    public static final int DEFAULT_REUSE_MAX_CONTAINERS = 4;
    public static final int DEFAULT_REUSE_MAX_USES = 10_000;
    public static final int DEFAULT_REUSE_IDLE_SECONDS = 120;
    public static final int DEFAULT_QUEUE_SIZE = 256;
    public static final int DEFAULT_QUEUE_TIMEOUT_SECONDS = 10;
    public static final int DEFAULT_START_TIMEOUT_SECONDS = 60;
    /** Enough for a response to be written first; short enough that the memory it holds is soon free again. */
    public static final Duration DEFAULT_CLEANUP_DELAY = Duration.ofMillis(20);

    /** Default memory budget: 3/4 of the memory of the host containers run on, in MB. */
    public static long maxMemoryMbFor(long hostMemoryBytes) {
        return Math.max(1, hostMemoryBytes * 3 / 4 / (1024 * 1024));
    }

    /** The same settings with the memory budget set. */
    public EngineSettings withMaxMemoryMb(long newMaxMemoryMb) {
        return new EngineSettings(pooling, poolMaxPerFunction, poolMaxTotal, poolIdleTimeout, reuseByDefault,
                reuseMaxPerFunction, reuseMaxUses, reuseIdleTimeout, newMaxMemoryMb, queueSize, queueTimeout,
                startTimeout, cleanupDelay);
    }

    public EngineSettings withPooling(boolean on) {
        return new EngineSettings(on, poolMaxPerFunction, poolMaxTotal, poolIdleTimeout, reuseByDefault,
                reuseMaxPerFunction, reuseMaxUses, reuseIdleTimeout, maxMemoryMb, queueSize, queueTimeout,
                startTimeout, cleanupDelay);
    }

    public EngineSettings withReuseByDefault(boolean on) {
        return new EngineSettings(pooling, poolMaxPerFunction, poolMaxTotal, poolIdleTimeout, on,
                reuseMaxPerFunction, reuseMaxUses, reuseIdleTimeout, maxMemoryMb, queueSize, queueTimeout,
                startTimeout, cleanupDelay);
    }

    public EngineSettings withQueue(int size, Duration timeout) {
        return new EngineSettings(pooling, poolMaxPerFunction, poolMaxTotal, poolIdleTimeout, reuseByDefault,
                reuseMaxPerFunction, reuseMaxUses, reuseIdleTimeout, maxMemoryMb, size, timeout, startTimeout,
                cleanupDelay);
    }

    public EngineSettings withIdleTimeouts(Duration pool, Duration reuse) {
        return new EngineSettings(pooling, poolMaxPerFunction, poolMaxTotal, pool, reuseByDefault,
                reuseMaxPerFunction, reuseMaxUses, reuse, maxMemoryMb, queueSize, queueTimeout, startTimeout,
                cleanupDelay);
    }

    /** Defaults, with {@code maxMemoryMb} 0: "not decided yet" (the server derives it from the host's memory). */
    public static EngineSettings defaults() {
        return new EngineSettings(DEFAULT_POOLING, DEFAULT_POOL_MAX, DEFAULT_POOL_MAX_TOTAL,
                Duration.ofSeconds(DEFAULT_POOL_IDLE_SECONDS), DEFAULT_REUSE, DEFAULT_REUSE_MAX_CONTAINERS,
                DEFAULT_REUSE_MAX_USES, Duration.ofSeconds(DEFAULT_REUSE_IDLE_SECONDS), 0, DEFAULT_QUEUE_SIZE,
                Duration.ofSeconds(DEFAULT_QUEUE_TIMEOUT_SECONDS), Duration.ofSeconds(DEFAULT_START_TIMEOUT_SECONDS),
                DEFAULT_CLEANUP_DELAY);
    }
}

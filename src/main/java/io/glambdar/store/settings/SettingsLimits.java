package io.glambdar.store.settings;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on what a function may ask for in its {@code glambdar.json}.
 *
 * @param maxTimeout  longest timeout of one invocation
 * @param minMemoryMb smallest memory limit, in MiB
 * @param maxMemoryMb largest memory limit, in MiB
 * @param maxCpus     most CPU cores (Docker refuses more than the host has)
 * @param maxMemoryIsBudget whether {@code maxMemoryMb} is the server's memory budget ({@value #MEMORY_BUDGET_SETTING}),
 *                    which a function bigger than all of it could never run in
 */
public record SettingsLimits(Duration maxTimeout, int minMemoryMb, int maxMemoryMb, double maxCpus,
                             boolean maxMemoryIsBudget) {

    public static final Duration DEFAULT_MAX_TIMEOUT = Duration.ofSeconds(900);
    public static final int DEFAULT_MIN_MEMORY_MB = 64;
    public static final int DEFAULT_MAX_MEMORY_MB = 16_384;
    /** Smallest CPU limit, whatever the limits: Docker's granularity is 0.01 CPU. */
    public static final double MIN_CPUS = 0.01;
    /** The operator's setting for the memory all containers may take together. */
    public static final String MEMORY_BUDGET_SETTING = "GLAMBDAR_MAX_MEMORY_MB";

    public SettingsLimits(Duration maxTimeout, int minMemoryMb, int maxMemoryMb, double maxCpus) {
        this(maxTimeout, minMemoryMb, maxMemoryMb, maxCpus, false);
    }

    public SettingsLimits {
        Objects.requireNonNull(maxTimeout, "maxTimeout");
        if (maxTimeout.isNegative() || maxTimeout.isZero()) {
            throw new IllegalArgumentException("maxTimeout must be positive, got " + maxTimeout);
        }
        if (minMemoryMb < 1 || maxMemoryMb < minMemoryMb) {
            throw new IllegalArgumentException(
                    "need 1 <= minMemoryMb <= maxMemoryMb, got " + minMemoryMb + " and " + maxMemoryMb);
        }
        if (!(maxCpus >= MIN_CPUS) || Double.isInfinite(maxCpus)) {
            throw new IllegalArgumentException("maxCpus must be a finite number >= " + MIN_CPUS + ", got " + maxCpus);
        }
    }

    /** 900 s, 64 to 16384 MiB, and as many CPUs as this host has. */
    public static SettingsLimits defaults() {
        return new SettingsLimits(DEFAULT_MAX_TIMEOUT, DEFAULT_MIN_MEMORY_MB, DEFAULT_MAX_MEMORY_MB,
                Runtime.getRuntime().availableProcessors());
    }

    /** The {@link #defaults()}, with no function allowed more memory than the server has for all of them together. */
    public static SettingsLimits forMemoryBudget(int memoryBudgetMb) {
        if (memoryBudgetMb < DEFAULT_MIN_MEMORY_MB) {
            throw new IllegalArgumentException(MEMORY_BUDGET_SETTING + " is " + memoryBudgetMb + " MB: no function"
                    + " could run; set it to at least " + DEFAULT_MIN_MEMORY_MB);
        }
        return new SettingsLimits(DEFAULT_MAX_TIMEOUT, DEFAULT_MIN_MEMORY_MB,
                Math.min(DEFAULT_MAX_MEMORY_MB, memoryBudgetMb), Runtime.getRuntime().availableProcessors(),
                memoryBudgetMb < DEFAULT_MAX_MEMORY_MB);
    }
}

package io.glambdar.store.jobs;

/**
 * The report of a job's last attempt, as Observability defines it for every invocation.
 *
 * @param initDurationMs container start and code load paid by the attempt; 0 when warm
 * @param maxMemoryBytes peak resident memory of the function's process; null when not measured
 * @param outcome        {@code ok}, {@code error}, {@code timeout} or {@code throttled}
 */
public record JobReport(long durationMs, long initDurationMs, boolean coldStart, Long maxMemoryBytes,
                        String outcome) {
}

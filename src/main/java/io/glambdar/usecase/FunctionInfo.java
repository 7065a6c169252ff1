package io.glambdar.usecase;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.glambdar.engine.ContainerCounts;
import io.glambdar.function.FunctionSettings;
import io.glambdar.store.Deployment;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.jobs.JobCounts;
import io.glambdar.store.stats.InvocationCounters;

import java.time.Instant;
import java.util.List;

/**
 * A function's metadata as the API shows it: the original's fields first, then ours. Code and settings are those of
 * the active version; the statistics count every version.
 *
 * @param version        the active version
 * @param lastStatus     how the last invocation ended: {@code ok}, {@code error} or {@code timeout}
 * @param deploymentId   of the active version: changes with every deploy and rollback
 * @param codeSizeBytes  bytes of code on disk (uncompressed)
 * @param containers     its containers right now, by state, all versions together
 * @param asyncQueued    its asynchronous invocations waiting to run (or for a retry); null where not counted
 * @param asyncFailed    its asynchronous invocations that failed for good (its dead letters); null where not counted
 */
public record FunctionInfo(String name, Instant createdAt, Instant lastInvokedAt, long invokeCount,
                           long errorCount, String lastStatus, Long lastDurationMs, int version, String deploymentId,
                           long codeSizeBytes, int fileCount, Settings settings, ContainerCounts containers,
                           Long asyncQueued, Long asyncFailed) {

    /**
     * The settings, with environment variable names only: their values may be secrets.
     *
     * @param tmp      MB of the function's {@code /tmp}
     * @param isPublic shown as {@code "public"}
     */
    public record Settings(double timeout, int memory, double cpus, List<String> env, Boolean reuse,
                           Integer concurrency, int tmp, @JsonProperty("public") boolean isPublic) {

        static Settings of(FunctionSettings settings) {
            return new Settings(settings.timeout().toMillis() / 1000.0, settings.memoryMb(), settings.cpus(),
                    settings.env().keySet().stream().sorted().toList(), settings.reuse(), settings.concurrency(),
                    settings.tmpMb(), settings.isPublic());
        }
    }

    static FunctionInfo of(StoredFunction function, ContainerCounts containers, JobCounts jobs) {
        return of(function, function.active(), containers, jobs);
    }

    /**
     * The function as it is, but with {@code version}'s code and settings: what a deploy answers about the version it
     * made, even when another update has made a later one active since.
     */
    static FunctionInfo of(StoredFunction function, Deployment version, ContainerCounts containers, JobCounts jobs) {
        InvocationCounters counters = function.counters();
        InvocationCounters.Last last = counters.last();
        return new FunctionInfo(function.name(), function.createdAt(), last == null ? null : last.at(),
                counters.invocations(), counters.errors(), last == null ? null : last.status(),
                last == null ? null : last.durationMs(), version.version(), version.deploymentId(),
                version.codeSizeBytes(), version.fileCount(), Settings.of(version.settings()), containers,
                jobs == null ? null : jobs.queued(), jobs == null ? null : jobs.failed());
    }
}

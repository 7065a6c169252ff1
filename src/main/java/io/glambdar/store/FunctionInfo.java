package io.glambdar.store;

import java.time.Instant;
import java.util.List;

/**
 * A function's metadata as the API shows it: the original's fields first, then ours.
 *
 * @param lastStatus     how the last invocation ended: {@code ok}, {@code error} or {@code timeout}
 * @param deploymentId   changes with every deploy of the name
 * @param codeSizeBytes  bytes of code on disk (uncompressed)
 */
public record FunctionInfo(String name, Instant createdAt, Instant lastInvokedAt, long invokeCount,
                           long errorCount, String lastStatus, Long lastDurationMs, String deploymentId,
                           long codeSizeBytes, int fileCount, Settings settings) {

    /** The settings, with environment variable names only: their values may be secrets. */
    public record Settings(double timeout, int memory, double cpus, List<String> env, Boolean reuse) {
    }
}

package io.glambdar.store.metadata;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One row of the {@link FunctionRepository}: a deployed function and its statistics.
 *
 * <p>Times are truncated to whole milliseconds on construction, which is the precision the repository keeps, so a
 * record read back equals the record that was written.
 *
 * @param name          the function's name (unique)
 * @param deploymentId  identifies this deploy of {@code name}; a redeploy after a delete gets a new one
 * @param createdAt     when this deploy happened
 * @param lastInvokedAt when the function was last invoked; {@code null} before its first invocation
 * @param invokeCount   invocations so far
 * @param errorCount    failed invocations so far (a subset of {@code invokeCount})
 * @param codeRoot      where {@code index.js} is inside the deployment's code: {@code ""} for its root, else the name
 *                      of the single folder that wraps everything
 * @param codeSizeBytes total size of the unzipped code
 * @param fileCount     number of files in the unzipped code
 * @param settingsJson  the function's settings, serialized by the caller
 * @param lastStatus    outcome of the last invocation (e.g. {@code "ok"}, {@code "error"}, {@code "timeout"}); nullable
 * @param lastDurationMs duration of the last invocation in milliseconds; nullable
 */
public record FunctionRecord(
        String name,
        String deploymentId,
        Instant createdAt,
        Instant lastInvokedAt,
        long invokeCount,
        long errorCount,
        String codeRoot,
        long codeSizeBytes,
        int fileCount,
        String settingsJson,
        String lastStatus,
        Long lastDurationMs) {

    public FunctionRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(codeRoot, "codeRoot");
        Objects.requireNonNull(settingsJson, "settingsJson");
        requireNonNegative(invokeCount, "invokeCount");
        requireNonNegative(errorCount, "errorCount");
        requireNonNegative(codeSizeBytes, "codeSizeBytes");
        requireNonNegative(fileCount, "fileCount");
        if (lastDurationMs != null) {
            requireNonNegative(lastDurationMs, "lastDurationMs");
        }
        createdAt = toMillis(createdAt);
        lastInvokedAt = toMillis(lastInvokedAt);
    }

    /** A freshly deployed function: never invoked, no statistics. */
    public static FunctionRecord newlyDeployed(String name, String deploymentId, Instant createdAt, String codeRoot,
                                               long codeSizeBytes, int fileCount, String settingsJson) {
        return new FunctionRecord(name, deploymentId, createdAt, null, 0, 0, codeRoot, codeSizeBytes, fileCount,
                settingsJson, null, null);
    }

    static Instant toMillis(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }

    static void requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must not be negative, got " + value);
        }
    }
}

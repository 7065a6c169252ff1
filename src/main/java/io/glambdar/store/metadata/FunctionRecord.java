package io.glambdar.store.metadata;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One function of the {@link FunctionRepository}: which of its versions is active, and its statistics across versions.
 *
 * <p>Times are truncated to whole milliseconds on construction, which is the precision the repository keeps, so a
 * record read back equals the record that was written.
 *
 * @param name           the function's name (unique)
 * @param functionId     identifies this life of {@code name}: a delete and a new deploy of the name make a new one, so
 *                       nothing of the old one (statistics, keys) ever applies to the new
 * @param createdAt      when the function's first version was deployed
 * @param activeVersion  the version {@code /invoke/:name} runs
 * @param lastInvokedAt  when the function was last invoked; {@code null} before its first invocation
 * @param invokeCount    invocations so far, across versions
 * @param errorCount     failed invocations so far (a subset of {@code invokeCount})
 * @param lastStatus     outcome of the last invocation (e.g. {@code "ok"}, {@code "error"}, {@code "timeout"}); nullable
 * @param lastDurationMs duration of the last invocation in milliseconds; nullable
 */
public record FunctionRecord(
        String name,
        String functionId,
        Instant createdAt,
        int activeVersion,
        Instant lastInvokedAt,
        long invokeCount,
        long errorCount,
        String lastStatus,
        Long lastDurationMs) {

    public FunctionRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(createdAt, "createdAt");
        requireNonNegative(invokeCount, "invokeCount");
        requireNonNegative(errorCount, "errorCount");
        if (activeVersion < 1) {
            throw new IllegalArgumentException("activeVersion must be at least 1, got " + activeVersion);
        }
        if (lastDurationMs != null) {
            requireNonNegative(lastDurationMs, "lastDurationMs");
        }
        createdAt = toMillis(createdAt);
        lastInvokedAt = toMillis(lastInvokedAt);
    }

    /** A freshly deployed function: version 1 active, never invoked, no statistics. */
    public static FunctionRecord newlyDeployed(String name, String functionId, Instant createdAt) {
        return new FunctionRecord(name, functionId, createdAt, 1, null, 0, 0, null, null);
    }

    public FunctionRecord withActiveVersion(int version) {
        return new FunctionRecord(name, functionId, createdAt, version, lastInvokedAt, invokeCount, errorCount,
                lastStatus, lastDurationMs);
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

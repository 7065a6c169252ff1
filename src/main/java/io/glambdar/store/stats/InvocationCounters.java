package io.glambdar.store.stats;

import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.StatsDelta;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The statistics of one function (across its versions), exact in memory: counting never waits for a disk write. What the repository does
 * not have yet leaves through {@link StatisticsWriter}, as a {@link StatsDelta}.
 */
public final class InvocationCounters {

    /** The last invocation; replaced only by a later one, so the three fields always describe the same call. */
    public record Last(Instant at, String status, long durationMs) {
    }

    private final String name;
    private final String functionId;
    private final AtomicLong invocations;
    private final AtomicLong errors;
    private final AtomicReference<Last> last;
    // Only the statistics writer touches these, one flush at a time.
    private long flushedInvocations;
    private long flushedErrors;
    private Last flushedLast;
    private Snapshot pending;

    /** Counting on from what the repository holds. */
    public InvocationCounters(FunctionRecord record) {
        this.name = record.name();
        this.functionId = record.functionId();
        this.invocations = new AtomicLong(record.invokeCount());
        this.errors = new AtomicLong(record.errorCount());
        Last stored = record.lastInvokedAt() == null ? null : new Last(record.lastInvokedAt(), record.lastStatus(),
                record.lastDurationMs() == null ? 0 : record.lastDurationMs());
        this.last = new AtomicReference<>(stored);
        this.flushedInvocations = record.invokeCount();
        this.flushedErrors = record.errorCount();
        this.flushedLast = stored;
    }

    /** @param status {@code ok}, {@code error} or {@code timeout}; all but {@code ok} count as errors */
    public void record(Instant at, String status, long durationMs) {
        invocations.incrementAndGet();
        if (!"ok".equals(status)) {
            errors.incrementAndGet();
        }
        Last current = new Last(at, status, durationMs);
        last.accumulateAndGet(current, (a, b) -> a == null || !b.at().isBefore(a.at()) ? b : a);
    }

    public long invocations() {
        return invocations.get();
    }

    public long errors() {
        return errors.get();
    }

    /** The last invocation, or null before the first. */
    public Last last() {
        return last.get();
    }

    /** What the repository does not have yet; call {@link #flushed()} once it does. */
    Optional<StatsDelta> pendingDelta() {
        long total = invocations.get();
        long failed = errors.get();
        Last latest = last.get();
        if (total == flushedInvocations && failed == flushedErrors && latest == flushedLast) {
            return Optional.empty();
        }
        pending = new Snapshot(total, failed, latest);
        return Optional.of(new StatsDelta(name, functionId, total - flushedInvocations, failed - flushedErrors,
                latest == null ? null : latest.at(), latest == null ? null : latest.status(),
                latest == null ? null : latest.durationMs()));
    }

    /** The delta last returned by {@link #pendingDelta()} is in the repository. */
    void flushed() {
        if (pending != null) {
            flushedInvocations = pending.invocations();
            flushedErrors = pending.errors();
            flushedLast = pending.last();
            pending = null;
        }
    }

    private record Snapshot(long invocations, long errors, Last last) {
    }
}

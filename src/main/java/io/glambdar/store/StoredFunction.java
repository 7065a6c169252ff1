package io.glambdar.store;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.StatsDelta;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A deployed function and its live statistics. Counters are exact in memory and reach the database in batches
 * ({@link #pendingDelta()}), so counting never waits for a disk write.
 */
final class StoredFunction {

    /** The last invocation; replaced only by a later one, so the three fields always describe the same call. */
    record Last(Instant at, String status, long durationMs) {
    }

    final FunctionRecord record;
    final DeployedFunction deployed;
    /** This deploy's last 50 invocations; an invocation still running when it is deleted goes with it. */
    final InvocationLogs logs = new InvocationLogs(50, 64 * 1024);
    private final AtomicLong invocations;
    private final AtomicLong errors;
    private final AtomicReference<Last> last;
    // Only the flusher thread touches these.
    private long flushedInvocations;
    private long flushedErrors;
    private Last flushedLast;
    private Snapshot snapshot;

    StoredFunction(FunctionRecord record, DeployedFunction deployed) {
        this.record = record;
        this.deployed = deployed;
        this.invocations = new AtomicLong(record.invokeCount());
        this.errors = new AtomicLong(record.errorCount());
        Last stored = record.lastInvokedAt() == null ? null : new Last(record.lastInvokedAt(), record.lastStatus(),
                record.lastDurationMs() == null ? 0 : record.lastDurationMs());
        this.last = new AtomicReference<>(stored);
        this.flushedInvocations = record.invokeCount();
        this.flushedErrors = record.errorCount();
        this.flushedLast = stored;
    }

    String name() {
        return record.name();
    }

    void recordInvocation(Instant at, String status, long durationMs) {
        invocations.incrementAndGet();
        if (!"ok".equals(status)) {
            errors.incrementAndGet();
        }
        Last current = new Last(at, status, durationMs);
        last.accumulateAndGet(current, (a, b) -> a == null || !b.at().isBefore(a.at()) ? b : a);
    }

    long invocations() {
        return invocations.get();
    }

    long errors() {
        return errors.get();
    }

    Last last() {
        return last.get();
    }

    /** What the database does not have yet; call {@link #flushed()} once it does. Called by one thread only. */
    Optional<StatsDelta> pendingDelta() {
        long total = invocations.get();
        long failed = errors.get();
        Last latest = last.get();
        if (total == flushedInvocations && failed == flushedErrors && latest == flushedLast) {
            return Optional.empty();
        }
        snapshot = new Snapshot(total, failed, latest);
        return Optional.of(new StatsDelta(name(), record.deploymentId(), total - flushedInvocations,
                failed - flushedErrors, latest == null ? null : latest.at(), latest == null ? null : latest.status(),
                latest == null ? null : latest.durationMs()));
    }

    /** The delta last returned by {@link #pendingDelta()} is in the database. */
    void flushed() {
        if (snapshot != null) {
            flushedInvocations = snapshot.invocations();
            flushedErrors = snapshot.errors();
            flushedLast = snapshot.last();
            snapshot = null;
        }
    }

    private record Snapshot(long invocations, long errors, Last last) {
    }
}

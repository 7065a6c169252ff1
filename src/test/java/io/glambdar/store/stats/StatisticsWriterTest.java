package io.glambdar.store.stats;

import io.glambdar.store.Concurrently;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.MetadataException;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.metadata.StatsDelta;
import io.glambdar.store.metadata.VersionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatisticsWriterTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");

    @TempDir
    Path dir;

    private SqliteFunctionRepository repository;
    private final List<InvocationCounters> tracked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        repository = SqliteFunctionRepository.open(dir.resolve("glambdar.db"));
    }

    @AfterEach
    void close() {
        repository.close();
    }

    private InvocationCounters deployed(String name, String functionId) {
        FunctionRecord record = FunctionRecord.newlyDeployed(name, functionId, T0);
        repository.insert(record, new VersionRecord(name, 1, "v1-" + functionId, T0, null, "", 1, 1, "{}"));
        InvocationCounters counters = new InvocationCounters(record);
        tracked.add(counters);
        return counters;
    }

    /** Flushes only when told to (or at close). */
    private StatisticsWriter writer(FunctionRepository to) {
        return new StatisticsWriter(to, () -> tracked, Duration.ofHours(1));
    }

    private FunctionRecord row(String name) {
        return repository.find(name).orElseThrow();
    }

    @Test
    void aFlushWritesWhatChangedAndCloseWritesTheRest() {
        InvocationCounters f = deployed("f", "d1");
        InvocationCounters idle = deployed("idle", "d2");
        try (StatisticsWriter writer = writer(repository)) {
            f.record(T0.plusSeconds(1), "ok", 5);
            f.record(T0.plusSeconds(2), "error", 6);
            writer.flush();
            assertThat(row("f").invokeCount()).isEqualTo(2);
            assertThat(row("f").errorCount()).isEqualTo(1);
            assertThat(row("f").lastStatus()).isEqualTo("error");

            writer.flush(); // nothing new: nothing written twice
            assertThat(row("f").invokeCount()).isEqualTo(2);

            f.record(T0.plusSeconds(3), "timeout", 30_000);
        }
        FunctionRecord written = row("f");
        assertThat(written.invokeCount()).isEqualTo(3);
        assertThat(written.errorCount()).isEqualTo(2);
        assertThat(written.lastInvokedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(written.lastStatus()).isEqualTo("timeout");
        assertThat(written.lastDurationMs()).isEqualTo(30_000L);
        assertThat(row("idle")).isEqualTo(FunctionRecord.newlyDeployed("idle", "d2", T0));
        assertThat(idle.invocations()).isZero();
    }

    @Test
    void countsThatFailedToBeWrittenAreWrittenWithTheNextFlush() {
        InvocationCounters f = deployed("f", "d1");
        AtomicBoolean failing = new AtomicBoolean(true);
        FunctionRepository flaky = new DelegatingRepository(repository) {
            @Override
            public void applyStats(Collection<StatsDelta> deltas) {
                if (failing.get()) {
                    throw new MetadataException("disk full");
                }
                super.applyStats(deltas);
            }
        };
        try (StatisticsWriter writer = writer(flaky)) {
            f.record(T0.plusSeconds(1), "ok", 5);
            assertThatThrownBy(writer::flush).isInstanceOf(MetadataException.class);
            f.record(T0.plusSeconds(2), "ok", 5);
            failing.set(false);
            writer.flush();
        }
        assertThat(row("f").invokeCount()).isEqualTo(2);
        assertThat(row("f").lastInvokedAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void concurrentCountingWhileFlushingLosesNothing() throws Exception {
        InvocationCounters hot = deployed("hot", "d1");
        try (StatisticsWriter writer = writer(repository)) {
            Concurrently.run(8, 500, (thread, i) -> {
                hot.record(T0.plusMillis(thread * 10_000L + i), i % 5 == 0 ? "error" : "ok", i);
                if (i % 50 == 0) {
                    writer.flush();
                }
            });
        }
        FunctionRecord written = row("hot");
        assertThat(written.invokeCount()).isEqualTo(4000);
        assertThat(written.errorCount()).isEqualTo(800);
        assertThat(written.lastInvokedAt()).isEqualTo(T0.plusMillis(7 * 10_000L + 499));
        assertThat(written.lastDurationMs()).isEqualTo(499L);
    }

    @Test
    void theLastInvocationIsTheLatestWhateverOrderTheyEndIn() {
        InvocationCounters f = deployed("f", "d1");
        f.record(T0.plusSeconds(20), "timeout", 30_000);
        f.record(T0.plusSeconds(10), "ok", 12); // started earlier, ended later

        assertThat(f.last()).isEqualTo(new InvocationCounters.Last(T0.plusSeconds(20), "timeout", 30_000));
        assertThat(f.invocations()).isEqualTo(2);
        assertThat(f.errors()).isEqualTo(1);
    }

    @Test
    void countersCarryOnFromTheRow() {
        FunctionRecord stored = new FunctionRecord("f", "d1", T0, 1, T0.plusSeconds(5), 41, 3, "ok", 7L);

        InvocationCounters counters = new InvocationCounters(stored);
        counters.record(T0.plusSeconds(6), "ok", 8);

        assertThat(counters.invocations()).isEqualTo(42);
        assertThat(counters.errors()).isEqualTo(3);
        assertThat(counters.pendingDelta()).isEqualTo(Optional.of(
                new StatsDelta("f", "d1", 1, 0, T0.plusSeconds(6), "ok", 8L)));
    }

    /** A repository that passes every call on, for tests to override one. */
    private static class DelegatingRepository implements FunctionRepository {
        private final FunctionRepository delegate;

        DelegatingRepository(FunctionRepository delegate) {
            this.delegate = delegate;
        }

        @Override
        public void insert(FunctionRecord function, VersionRecord first) {
            delegate.insert(function, first);
        }

        @Override
        public Optional<VersionRecord> addVersion(String name, String functionId,
                                                  IntFunction<VersionRecord> numbered) {
            return delegate.addVersion(name, functionId, numbered);
        }

        @Override
        public boolean activate(String name, String functionId, int version) {
            return delegate.activate(name, functionId, version);
        }

        @Override
        public void deleteVersions(String name, Collection<Integer> versions) {
            delegate.deleteVersions(name, versions);
        }

        @Override
        public List<VersionRecord> findVersions(String name) {
            return delegate.findVersions(name);
        }

        @Override
        public List<VersionRecord> findAllVersions() {
            return delegate.findAllVersions();
        }

        @Override
        public Optional<FunctionRecord> find(String name) {
            return delegate.find(name);
        }

        @Override
        public List<FunctionRecord> findAll() {
            return delegate.findAll();
        }

        @Override
        public boolean delete(String name, String functionId) {
            return delegate.delete(name, functionId);
        }

        @Override
        public void applyStats(Collection<StatsDelta> deltas) {
            delegate.applyStats(deltas);
        }
    }
}

package io.glambdar.store.invocations;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InvocationLogWriterTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");
    /** Long enough that only the test's own flushes and the close write anything. */
    private static final Duration NEVER = Duration.ofHours(1);

    /** Keeps what was saved, newest first per function life, and every batch it was given. */
    private static class FakeRepository implements InvocationLogRepository {
        final Map<String, List<InvocationRecord>> saved = new HashMap<>();
        final List<List<Batch>> saves = new ArrayList<>();

        @Override
        public void save(Collection<Batch> batches, int keep) {
            saves.add(List.copyOf(batches));
            for (Batch batch : batches) {
                List<InvocationRecord> records = new ArrayList<>(batch.newestFirst());
                records.addAll(saved.getOrDefault(batch.functionId(), List.of()));
                saved.put(batch.functionId(), List.copyOf(records.subList(0, Math.min(keep, records.size()))));
            }
        }

        @Override
        public List<InvocationRecord> recent(String functionId, int limit) {
            List<InvocationRecord> records = saved.getOrDefault(functionId, List.of());
            return records.subList(0, Math.min(limit, records.size()));
        }
    }

    private static InvocationRecord record(String id) {
        return new InvocationRecord(id, T0, 5, "ok", 200, null, false, 0, null, "ok", id + " printed\n");
    }

    @Test
    void eachFlushWritesWhatWasAddedSinceAndARestartPutsItBack() {
        FakeRepository repository = new FakeRepository();
        RecentInvocations hello = new RecentInvocations("hello", "life-1");
        RecentInvocations quiet = new RecentInvocations("quiet", "life-2");
        InvocationLogWriter writer = new InvocationLogWriter(repository, () -> List.of(hello, quiet), NEVER);

        hello.add(record("a"));
        hello.add(record("b"));
        writer.flush();
        writer.flush(); // nothing new: nothing written
        hello.add(record("c"));
        writer.close(); // the last ones, at shutdown

        assertThat(repository.saves).hasSize(2);
        assertThat(repository.saves.get(0)).extracting(InvocationLogRepository.Batch::functionName)
                .containsExactly("hello");
        assertThat(repository.saves.get(1).getFirst().newestFirst()).containsExactly(record("c"));

        // The next start: the same functions, empty in memory, filled from what was saved.
        RecentInvocations helloAgain = new RecentInvocations("hello", "life-1");
        RecentInvocations quietAgain = new RecentInvocations("quiet", "life-2");
        InvocationLogWriter restarted = new InvocationLogWriter(repository, () -> List.of(helloAgain, quietAgain),
                NEVER);

        assertThat(helloAgain.newestFirst()).containsExactly(record("c"), record("b"), record("a"));
        assertThat(helloAgain.find("b")).contains(record("b"));
        assertThat(quietAgain.newestFirst()).isEmpty();
        restarted.close();
        assertThat(repository.saves).as("restored records are not saved again").hasSize(2);
    }

    @Test
    void aFailedSaveLeavesTheRecordsForTheNextFlush() {
        FakeRepository repository = new FakeRepository() {
            boolean failOnce = true;

            @Override
            public void save(Collection<Batch> batches, int keep) {
                if (failOnce) {
                    failOnce = false;
                    throw new IllegalStateException("disk full");
                }
                super.save(batches, keep);
            }
        };
        RecentInvocations hello = new RecentInvocations("hello", "life-1");
        InvocationLogWriter writer = new InvocationLogWriter(repository, () -> List.of(hello), NEVER);
        hello.add(record("a"));

        try {
            writer.flush();
        } catch (IllegalStateException expected) {
            // the write-behind thread logs it and tries again at its next flush
        }
        writer.flush();
        writer.close();

        assertThat(repository.recent("life-1", 50)).containsExactly(record("a"));
    }
}

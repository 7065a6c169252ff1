package io.glambdar.store.invocations;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecentInvocationsTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");

    private static InvocationRecord record(int i, String logs) {
        return new InvocationRecord("inv-" + i, T0.plusSeconds(i), i, "ok", 200, null, i % 2 == 0, i % 2 == 0 ? 40 : 0,
                30_000_000L, "ok", logs);
    }

    @Test
    void theLastFiftyAreKeptNewestFirstAndFoundById() {
        RecentInvocations recent = new RecentInvocations("f", "f-1");
        for (int i = 0; i < 60; i++) {
            recent.add(record(i, "printed " + i + "\n"));
        }

        assertThat(recent.newestFirst()).hasSize(50);
        assertThat(recent.newestFirst().getFirst().invocationId()).isEqualTo("inv-59");
        assertThat(recent.newestFirst().getLast().invocationId()).isEqualTo("inv-10");
        assertThat(recent.find("inv-42")).contains(record(42, "printed 42\n"));
        assertThat(recent.find("inv-9")).isEmpty();
        assertThat(recent.find("nope")).isEmpty();
    }

    @Test
    void logsTheEngineCutAreKeptAsTheyAreWithTheirOneMarker() {
        RecentInvocations recent = new RecentInvocations("f", "f-1");
        // What loading printed, then the invocation's output as the engine cut it (64 KiB at most).
        String cut = "loaded\n".repeat(200) + "first line\n" + "x".repeat(4085) + "\n[... 10927153 bytes dropped]\n"
                + "y".repeat(64 * 1024 - 4096 - 64) + "\nlast line\n";

        recent.add(record(1, cut));

        assertThat(recent.find("inv-1")).get().extracting(InvocationRecord::logs).isEqualTo(cut);
        assertThat(recent.find("inv-1").orElseThrow().coldStart()).isFalse();
    }

    @Test
    void whatWasAddedSinceTheLastSaveIsUnsavedUpToTheCapacity() {
        RecentInvocations recent = new RecentInvocations("f", "f-1", 5);
        assertThat(recent.unsaved().newestFirst()).isEmpty();

        recent.add(record(1, ""));
        recent.add(record(2, ""));
        RecentInvocations.Unsaved first = recent.unsaved();
        recent.add(record(3, "")); // while the first two are being saved
        recent.saved(first.mark());

        assertThat(first.newestFirst()).extracting(InvocationRecord::invocationId).containsExactly("inv-2", "inv-1");
        assertThat(recent.unsaved().newestFirst()).extracting(InvocationRecord::invocationId).containsExactly("inv-3");
        for (int i = 4; i <= 12; i++) {
            recent.add(record(i, ""));
        }
        // More than it keeps were added: the ones it still holds are the ones to save.
        assertThat(recent.unsaved().newestFirst()).extracting(InvocationRecord::invocationId)
                .containsExactly("inv-12", "inv-11", "inv-10", "inv-9", "inv-8");
        recent.saved(recent.unsaved().mark());
        assertThat(recent.unsaved().newestFirst()).isEmpty();
    }

    @Test
    void restoredRecordsComeAfterNewerOnesUpToTheCapacityAndAreNotSavedAgain() {
        RecentInvocations recent = new RecentInvocations("f", "f-1", 3);
        recent.add(record(9, ""));

        recent.restore(List.of(record(5, ""), record(4, ""), record(3, ""), record(2, "")));

        assertThat(recent.newestFirst()).extracting(InvocationRecord::invocationId)
                .containsExactly("inv-9", "inv-5", "inv-4");
        assertThat(recent.unsaved().newestFirst()).extracting(InvocationRecord::invocationId).containsExactly("inv-9");
        assertThat(recent.find("inv-5")).isPresent();
    }
}

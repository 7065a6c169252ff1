package io.glambdar.store.invocations;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RecentInvocationsTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");

    private static InvocationRecord record(int i, String logs) {
        return new InvocationRecord("inv-" + i, T0.plusSeconds(i), i, "ok", 200, null, i % 2 == 0, i % 2 == 0 ? 40 : 0,
                30_000_000L, "ok", logs);
    }

    @Test
    void theLastFiftyAreKeptNewestFirstAndFoundById() {
        RecentInvocations recent = new RecentInvocations();
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
    void longOutputKeepsALittleOfItsStartAndItsEndAndSaysWhatWasDroppedBetween() {
        RecentInvocations recent = new RecentInvocations(5, 10);

        recent.add(record(1, "0123456789abcdef"));

        assertThat(recent.find("inv-1")).get().extracting(InvocationRecord::logs)
                .isEqualTo("0\n[... 6 characters dropped]\n789abcdef");
        assertThat(recent.find("inv-1").orElseThrow().coldStart()).isFalse();
    }
}

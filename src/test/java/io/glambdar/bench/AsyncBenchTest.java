package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The drain's holders are all in the engine once one runs and the rest wait for it; queued counts say nothing. */
class AsyncBenchTest {

    @Test
    void theHoldersAreAllHeldOnceOneRunsAndTheOthersWaitInTheEngine() {
        int others = AsyncBench.CONCURRENCY - 1;
        assertThat(AsyncBench.allHeld(new ServerApi.Load(1, others, 1))).isTrue();
        assertThat(AsyncBench.allHeld(new ServerApi.Load(1, others - 1, 1))).as("one not claimed yet").isFalse();
        assertThat(AsyncBench.allHeld(new ServerApi.Load(0, AsyncBench.CONCURRENCY, 0))).as("none running yet")
                .isFalse();
    }
}

package io.glambdar.usecase.async;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WakeupTest {

    private static final Duration LONG = Duration.ofHours(1);

    @Test
    void aWakeBeforeTheWaitIsNotLostAndIsUsedOnce() {
        Wakeup wakeup = new Wakeup();
        wakeup.wake();
        wakeup.wake();

        assertThat(wakeup.await(LONG)).isTrue(); // at once, or this test would hang for an hour
        long start = System.nanoTime();
        assertThat(wakeup.await(Duration.ofMillis(20))).as("the wake-up was used up").isTrue();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    }

    @Test
    void aWakeFromAnotherThreadEndsAWaitInProgress() throws Exception {
        Wakeup wakeup = new Wakeup();
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> wakeup.await(LONG));
        while (!waited.isDone()) {
            wakeup.wake(); // until the waiter has taken one: a wake-up before its wait counts too
            Thread.onSpinWait();
        }
        assertThat(waited.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anInterruptedWaitSaysSo() {
        Wakeup wakeup = new Wakeup();
        Thread.currentThread().interrupt();
        try {
            assertThat(wakeup.await(LONG)).isFalse();
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        }
    }
}

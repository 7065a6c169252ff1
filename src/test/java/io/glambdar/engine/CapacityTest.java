package io.glambdar.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapacityTest {

    private static long in(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    @Test
    void slotsAreTakenUpToTheLimitWithoutWaiting() {
        Capacity capacity = new Capacity(3, 10);
        assertThat(capacity.tryAcquire()).isTrue();
        assertThat(capacity.tryAcquire()).isTrue();
        assertThat(capacity.tryAcquire()).isTrue();
        assertThat(capacity.tryAcquire()).isFalse();
        assertThat(capacity.used()).isEqualTo(3);
        capacity.release();
        assertThat(capacity.tryAcquire()).isTrue();
    }

    @Test
    void aWaiterGetsTheNextFreedSlot() throws Exception {
        Capacity capacity = new Capacity(1, 10);
        capacity.acquire(in(Duration.ofSeconds(1)), () -> { });
        CountDownLatch evictionAsked = new CountDownLatch(1);
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() ->
                capacity.acquire(in(Duration.ofSeconds(30)), evictionAsked::countDown));
        assertThat(evictionAsked.await(10, TimeUnit.SECONDS)).isTrue();
        while (capacity.waiting() == 0) {
            Thread.onSpinWait();
        }
        assertThat(waiter).isNotDone();
        capacity.release();
        waiter.get(10, TimeUnit.SECONDS);
        assertThat(capacity.used()).isEqualTo(1);
        assertThat(capacity.waiting()).isZero();
    }

    @Test
    void aFullQueueIsRefusedAtOnce() throws Exception {
        Capacity capacity = new Capacity(1, 1);
        assertThat(capacity.tryAcquire()).isTrue();
        CompletableFuture<Void> queued = CompletableFuture.runAsync(() ->
                capacity.acquire(in(Duration.ofSeconds(30)), () -> { }));
        while (capacity.waiting() == 0) {
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> capacity.acquire(in(Duration.ofSeconds(30)), () -> { }))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("1 invocations are already waiting")
                .satisfies(e -> assertThat(((OverloadedException) e).retryAfterSeconds).isPositive());
        capacity.release();
        queued.get(10, TimeUnit.SECONDS);
    }

    @Test
    void theWaitEndsAtTheDeadline() {
        Capacity capacity = new Capacity(1, 5);
        assertThat(capacity.tryAcquire()).isTrue();
        assertThatThrownBy(() -> capacity.acquire(in(Duration.ofMillis(50)), () -> { }))
                .isInstanceOf(OverloadedException.class)
                .hasMessageContaining("no container became free in time");
        assertThat(capacity.waiting()).isZero();
        assertThat(capacity.used()).isEqualTo(1);
    }

    @Test
    void manyThreadsNeverExceedTheLimit() throws Exception {
        Capacity capacity = new Capacity(4, 1000);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CompletableFuture<?>[] all = new CompletableFuture<?>[200];
        for (int i = 0; i < all.length; i++) {
            all[i] = CompletableFuture.runAsync(() -> {
                capacity.acquire(in(Duration.ofSeconds(60)), () -> { });
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                Thread.yield();
                inside.decrementAndGet();
                capacity.release();
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        }
        CompletableFuture.allOf(all).get(60, TimeUnit.SECONDS);
        assertThat(most.get()).isBetween(1, 4);
        assertThat(capacity.used()).isZero();
    }
}

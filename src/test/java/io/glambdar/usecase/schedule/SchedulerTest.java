package io.glambdar.usecase.schedule;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scheduler's thread: passes one after another when due, a pass that fails, and stopping. */
class SchedulerTest {

    private final Clock clock = Clock.systemUTC();

    @Test
    void aPassRunsAtOnceAndAgainAsSoonAsTheNextFiringIsDue() throws Exception {
        CountDownLatch threePasses = new CountDownLatch(3);
        AtomicInteger passes = new AtomicInteger();
        Scheduler scheduler = new Scheduler(() -> {
            passes.incrementAndGet();
            threePasses.countDown();
            return clock.instant(); // due now: no sleep
        }, clock);

        scheduler.start();

        assertThat(threePasses.await(10, TimeUnit.SECONDS)).isTrue();
        scheduler.close();
        assertThat(passes).hasValueGreaterThanOrEqualTo(3);
    }

    @Test
    void closeEndsItsSleepAndNoPassFollows() throws Exception {
        CountDownLatch firstPass = new CountDownLatch(1);
        AtomicInteger passes = new AtomicInteger();
        Scheduler scheduler = new Scheduler(() -> {
            passes.incrementAndGet();
            firstPass.countDown();
            return clock.instant().plus(Duration.ofHours(1));
        }, clock);
        scheduler.start();
        assertThat(firstPass.await(10, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        scheduler.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Scheduler.MAX_SLEEP);
        assertThat(passes).hasValueLessThanOrEqualTo(2);
    }

    @Test
    void aFailingPassIsTriedAgain() throws Exception {
        CountDownLatch secondPass = new CountDownLatch(2);
        Scheduler scheduler = new Scheduler(() -> {
            secondPass.countDown();
            if (secondPass.getCount() == 1) {
                throw new IllegalStateException("the database is locked");
            }
            return null;
        }, clock);

        scheduler.start();

        assertThat(secondPass.await(10, TimeUnit.SECONDS)).isTrue();
        scheduler.close();
    }

    @Test
    void closeWithoutStartOrTwiceIsHarmless() {
        Scheduler scheduler = new Scheduler(() -> null, clock);
        scheduler.close();
        scheduler.close();
        assertThatThrownBy(scheduler::start).isInstanceOf(IllegalStateException.class);
    }
}

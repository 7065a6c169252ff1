package io.glambdar.usecase.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs the schedules: one background (virtual) thread makes a pass ({@link FireSchedules#fireDue}), then sleeps until
 * the next firing is due, but never longer than {@link #MAX_SLEEP}, so that deploys, rollbacks and deletes are picked
 * up within a second.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** The longest sleep between passes: how soon a new or changed schedule is seen. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(1);
    /** How long {@link #close} waits for a pass in progress (it ends with its last SQL statement). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final Supplier<Instant> pass;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean closed;
    private Thread thread;

    /** @param pass one pass, {@link FireSchedules#fireDue}: it returns when the next firing is due (null: none) */
    public Scheduler(Supplier<Instant> pass, Clock clock) {
        this.pass = pass;
        this.clock = clock;
    }

    /** Starts the background thread. */
    public void start() {
        lock.lock();
        try {
            if (closed || thread != null) {
                throw new IllegalStateException("the scheduler was started or closed already");
            }
            thread = Thread.ofVirtual().name("glambdar-scheduler").start(this::run);
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Instant next = null;
            try {
                next = pass.get();
            } catch (RuntimeException e) { // the store failing: try again shortly
                log.warn("The scheduler's pass failed; trying again in {} s: {}", MAX_SLEEP.toSeconds(),
                        e.toString());
            }
            if (!sleepUntil(next)) {
                return;
            }
        }
    }

    /** Sleeps until {@code next} (null: none), at most {@link #MAX_SLEEP}. @return false once closed */
    private boolean sleepUntil(Instant next) {
        long nanos = MAX_SLEEP.toNanos();
        if (next != null) {
            nanos = Math.min(nanos, Duration.between(clock.instant(), next).toNanos());
        }
        lock.lock();
        try {
            while (!closed && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            return !closed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops firing: waits for a pass in progress to end. Safe to call twice, or without {@link #start}. */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            closed = true;
            woken.signalAll();
            running = thread;
        } finally {
            lock.unlock();
        }
        if (running == null) {
            return;
        }
        try {
            if (!running.join(STOP_WAIT)) {
                log.warn("The scheduler did not stop within {} s", STOP_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.glambdar.engine.fake;

import io.glambdar.engine.time.EngineClock;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;

/** A clock that moves only when the test says so; due timers run on the test's thread, in order. */
public final class ManualClock implements EngineClock {

    private final class Task implements Timer, Comparable<Task> {
        final long at;
        final long order;
        final Runnable action;
        boolean cancelled;

        Task(long at, long order, Runnable action) {
            this.at = at;
            this.order = order;
            this.action = action;
        }

        @Override
        public void cancel() {
            synchronized (ManualClock.this) {
                cancelled = true;
            }
        }

        @Override
        public int compareTo(Task other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
        }
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long order;
    private boolean refusing;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Timer schedule(Runnable action, long delayNanos) {
        if (refusing) {
            throw new RejectedExecutionException("the clock refuses new timers");
        }
        Task task = new Task(now + Math.max(0, delayNanos), order++, action);
        tasks.add(task);
        return task;
    }

    /** Moves time forward, running every timer that falls due on the way (each at its own time). */
    public void advance(Duration duration) {
        long target;
        synchronized (this) {
            target = now + duration.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.at);
                if (next.cancelled) {
                    continue;
                }
            }
            next.action.run();
        }
    }

    /** From now on every new timer is refused, as a shut-down scheduler does. */
    public synchronized void refuseTimers() {
        refusing = true;
    }
}

package io.glambdar.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission control: a slot per live container, at most {@code max}. Taking a slot is lock-free while there is room;
 * only invocations that must wait queue up (at most {@code queueSize} of them), and each waits at most until its
 * deadline. Warm containers hold slots too, so a waiter first asks the pools to give up an idle one.
 */
final class Capacity {

    private final int max;
    private final int queueSize;
    private final AtomicInteger used = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();

    Capacity(int max, int queueSize) {
        this.max = max;
        this.queueSize = queueSize;
    }

    int max() {
        return max;
    }

    int used() {
        return used.get();
    }

    int waiting() {
        return waiting.get();
    }

    /** Takes a slot if one is free now. */
    boolean tryAcquire() {
        for (int current = used.get(); current < max; current = used.get()) {
            if (used.compareAndSet(current, current + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes a slot, waiting for one until {@code deadlineNanos} ({@link System#nanoTime()} based).
     *
     * @param evictIdle asked once to free a slot held by an idle warm container
     * @throws OverloadedException when the queue is full or the deadline passes
     */
    void acquire(long deadlineNanos, Runnable evictIdle) {
        if (tryAcquire()) {
            return;
        }
        evictIdle.run();
        if (waiting.incrementAndGet() > queueSize) {
            waiting.decrementAndGet();
            throw new OverloadedException("too many invocations at once: all " + max + " containers are in use and "
                    + queueSize + " invocations are already waiting; retry shortly (or raise GLAMBDAR_MAX_CONTAINERS)",
                    1);
        }
        lock.lock();
        try {
            while (!tryAcquire()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new OverloadedException("no container became free in time: all " + max
                            + " containers are in use; retry shortly (or raise GLAMBDAR_MAX_CONTAINERS)", 1);
                }
                freed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(250)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for a container", 1);
        } finally {
            waiting.decrementAndGet();
            lock.unlock();
        }
    }

    void release() {
        used.decrementAndGet();
        if (waiting.get() > 0) {
            lock.lock();
            try {
                freed.signal();
            } finally {
                lock.unlock();
            }
        }
    }
}

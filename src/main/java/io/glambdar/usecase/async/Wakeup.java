package io.glambdar.usecase.async;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A background loop's sleep that other threads can cut short: {@link #await} returns at the timeout, or at once if
 * {@link #wake} was called since the last {@link #await} returned (a wake-up is never lost between two waits). One
 * thread awaits; any number wake it. Waking is a read of a flag when it is set already, and never takes a lock: every
 * accepted job and every ended attempt wakes the dispatcher, so a monitor here was contended by them all.
 */
final class Wakeup {

    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile Thread waiter;

    void wake() {
        if (!woken.get() && woken.compareAndSet(false, true)) {
            Thread sleeping = waiter;
            if (sleeping != null) {
                LockSupport.unpark(sleeping);
            }
        }
    }

    /** @return false when interrupted (the loop should end) */
    boolean await(Duration timeout) {
        waiter = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
            while (!woken.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.currentThread().isInterrupted()) {
                    return false;
                }
            }
            return true;
        } finally {
            waiter = null;
            woken.set(false);
        }
    }
}

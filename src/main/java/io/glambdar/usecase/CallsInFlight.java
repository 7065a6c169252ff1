package io.glambdar.usecase;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Calls that have started and not yet returned, so a shutdown can wait for the last of them. */
final class CallsInFlight {

    /** One call, counted until it is closed. */
    interface Call extends AutoCloseable {
        @Override
        void close();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition noneLeft = lock.newCondition();
    private int count;

    /** Counts a call; open it in a try-with-resources header, so it is uncounted however the call ends. */
    Call enter() {
        lock.lock();
        try {
            count++;
        } finally {
            lock.unlock();
        }
        return this::exit;
    }

    private void exit() {
        lock.lock();
        try {
            if (--count == 0) {
                noneLeft.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no call is in flight, or {@code timeout} has passed; returns whether none is. */
    boolean awaitNone(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (count > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = noneLeft.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}

package io.glambdar.usecase.async;

import java.time.Duration;

/**
 * A background loop's sleep that another thread can cut short: {@link #await} returns at the timeout, or at once if
 * {@link #wake} was called since the last {@link #await} returned (a wake-up is never lost between two waits).
 */
final class Wakeup {

    private boolean woken; // guarded by this

    synchronized void wake() {
        woken = true;
        notifyAll();
    }

    /** @return false when interrupted (the loop should end) */
    synchronized boolean await(Duration timeout) {
        try {
            if (!woken) {
                wait(Math.max(1, timeout.toMillis()));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            woken = false;
        }
    }
}

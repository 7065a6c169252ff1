package io.glambdar.engine.time;

/**
 * Time as the engine sees it: a monotonic clock and timers on it. Every deadline, queue timeout, start timeout and
 * maintenance tick goes through this, so tests can move time by hand and get the same outcome on every run.
 */
public interface EngineClock {

    /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Runs {@code task} once, {@code delayNanos} from now, on a timer thread (tasks must be short: they take a lock
     * or close a socket, never wait). Throws {@link java.util.concurrent.RejectedExecutionException} once closed.
     */
    Timer schedule(Runnable task, long delayNanos);

    /** A scheduled task. */
    interface Timer {
        /** Stops it from running; does nothing if it ran already. */
        void cancel();
    }
}

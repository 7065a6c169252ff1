package io.glambdar.engine.time;

/**
 * When one invocation must be over, and what to interrupt when that time comes: whatever the invocation is blocked
 * on right now (a container start it waits for, a reply it reads) registers itself with {@link #hold}, so the timer
 * can cut it off from its own thread.
 */
public final class Deadline {

    private long atNanos;          // guarded by this
    private Runnable interruption; // guarded by this
    private boolean expired;       // guarded by this
    private EngineClock.Timer timer; // guarded by this

    private Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /** A deadline at {@code atNanos} on {@code clock}, with its timer running. */
    public static Deadline at(EngineClock clock, long atNanos) {
        Deadline deadline = new Deadline(atNanos);
        EngineClock.Timer timer = clock.schedule(deadline::expire, atNanos - clock.nanoTime());
        synchronized (deadline) {
            deadline.timer = timer;
        }
        return deadline;
    }

    public synchronized long atNanos() {
        return atNanos;
    }

    /**
     * Moves the deadline to {@code newAtNanos}: an invocation that waited for capacity gets its whole timeout from when
     * it got it. Only while nothing is held (waiting in a queue, which has its own timer): a deadline that passed
     * meanwhile, interrupting nothing, counts again from now.
     */
    public void moveTo(EngineClock clock, long newAtNanos) {
        synchronized (this) {
            if (interruption != null) {
                throw new IllegalStateException("a deadline moves only while nothing is held");
            }
            expired = false;
            atNanos = newAtNanos;
            if (timer != null) {
                timer.cancel();
            }
            timer = clock.schedule(this::expire, newAtNanos - clock.nanoTime());
        }
    }

    /**
     * Registers what to interrupt if the deadline passes while it is held. Returns false when it already passed: then
     * nothing is registered and the caller must not start to wait.
     */
    public synchronized boolean hold(Runnable interrupt) {
        if (expired) {
            return false;
        }
        interruption = interrupt;
        return true;
    }

    /** The wait is over: a later expiry must not interrupt what was held. */
    public synchronized void letGo() {
        interruption = null;
    }

    /** Marks the deadline passed and interrupts what is held (outside the lock: it may take other locks). */
    public void expire() {
        Runnable interrupt;
        synchronized (this) {
            expired = true;
            interrupt = interruption;
            interruption = null;
        }
        if (interrupt != null) {
            interrupt.run();
        }
    }

    public synchronized boolean expired() {
        return expired;
    }

    /** The invocation ended: its timer is no longer needed. */
    public void cancel() {
        EngineClock.Timer running;
        synchronized (this) {
            running = timer;
        }
        if (running != null) {
            running.cancel();
        }
    }
}

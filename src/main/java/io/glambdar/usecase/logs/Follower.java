package io.glambdar.usecase.logs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client following a function's live log: the events published for it, buffered, for the client's own thread to
 * take and write out at its pace. Publishing never waits for the client: a follower that falls behind is dropped (its
 * buffer emptied, its stream ended with {@link LogEvent.Reason#TOO_SLOW}). Falling behind is this follower's own
 * backlog only: more bytes waiting than its bound (generous, so that one burst of output never overflows it), or
 * events waiting while it has taken none for longer than its stall bound (its client stopped reading).
 */
public final class Follower implements AutoCloseable {

    private final LogHub hub;
    private final String function;
    private final Clock clock;
    private final long maxBytes;
    private final Duration maxStall;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Deque<LogEvent> buffered = new ArrayDeque<>();
    private long bytes;
    /** When this follower last took an event or, if later, when its buffer last filled from empty. */
    private Instant progressed;
    private LogEvent.End end; // set once: what the stream ends with, after what is buffered
    private boolean ended; // the end was taken
    private boolean closed; // the client left
    private volatile Runnable onDropped = () -> {
    };

    Follower(LogHub hub, String function, Clock clock, long maxBytes, Duration maxStall) {
        this.hub = hub;
        this.function = function;
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.maxStall = maxStall;
    }

    /** The function followed. */
    public String function() {
        return function;
    }

    /**
     * Runs {@code action} when this follower is dropped for being too slow, on the publisher's thread (so it must not
     * block): e.g. to close a connection whose writes are stuck, as its thread may be unable to take the end event.
     */
    public void onDropped(Runnable action) {
        this.onDropped = action;
    }

    /**
     * The next event, waiting up to {@code wait} for one; null when none came. After an {@link LogEvent.End} (which
     * is the last), null at once.
     */
    public LogEvent next(Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            for (;;) {
                if (ended || closed) {
                    return null;
                }
                LogEvent event = buffered.pollFirst();
                if (event != null) {
                    bytes -= event.size();
                    progressed = clock.instant();
                    return event;
                }
                if (end != null) {
                    ended = true;
                    return end;
                }
                if (nanos <= 0) {
                    return null;
                }
                nanos = arrived.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether an event is ready to take now: the writer flushes only once it has caught up. */
    public boolean ready() {
        lock.lock();
        try {
            return !ended && (!buffered.isEmpty() || end != null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops following: nothing more is buffered for it, and a {@link #next} waiting on another thread returns null at
     * once (the client left). Idempotent.
     */
    @Override
    public void close() {
        hub.unsubscribe(this);
        lock.lock();
        try {
            closed = true;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }


    /** Buffers {@code event}; false when this follower has fallen behind and is now dropped instead. */
    boolean offer(LogEvent event) {
        lock.lock();
        try {
            if (end != null) {
                return true; // ending anyway: nothing more is kept
            }
            Instant now = clock.instant();
            if (buffered.isEmpty()) {
                progressed = now; // caught up until now: a stall counts from here
            }
            if (bytes + event.size() > maxBytes || Duration.between(progressed, now).compareTo(maxStall) > 0) {
                buffered.clear();
                bytes = 0;
                end = new LogEvent.End(LogEvent.Reason.TOO_SLOW);
                arrived.signalAll();
            } else {
                buffered.addLast(event);
                bytes += event.size();
                arrived.signalAll();
                return true;
            }
        } finally {
            lock.unlock();
        }
        onDropped.run();
        return false;
    }

    /** Ends the stream after what is buffered (beyond the bound: the end always fits). */
    void end(LogEvent.Reason reason) {
        lock.lock();
        try {
            if (end == null) {
                end = new LogEvent.End(reason);
                arrived.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}

package io.glambdar.usecase.logs;

import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.OutputListener;
import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.InvokeFunction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Live logs: each function's followers ({@code GET /logs/:name?follow=true}) and what is published to them, by
 * function name (so a stream goes on across versions): the lines its invocations print as they print them, and a
 * report as each invocation ends. Publishing never blocks and costs a map lookup when nobody follows.
 */
public final class LogHub implements InvocationListener, AutoCloseable {

    /**
     * Bytes (roughly: {@link LogEvent#size()}) a follower may have waiting before it is dropped as too slow: far more
     * than one burst of output (the worker sends what a function prints per event-loop turn, a crashed process's
     * output comes back from Docker in one piece), so that only a follower that falls behind overflows it.
     */
    public static final long MAX_BYTES = 4 * 1024 * 1024;
    /** How long a follower with events waiting may take none before it is dropped as too slow (it stopped reading). */
    public static final Duration MAX_STALL = Duration.ofSeconds(10);

    private final Clock clock;
    private final long maxBytes;
    private final Duration maxStall;
    private final Map<String, List<Follower>> followers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public LogHub(Clock clock) {
        this(clock, MAX_BYTES, MAX_STALL);
    }

    public LogHub(Clock clock, long maxBytes, Duration maxStall) {
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.maxStall = maxStall;
    }

    /**
     * A new follower of {@code function}'s live log, from now on. Subscribe before checking that the function exists,
     * so that a delete in between still ends the stream.
     */
    public Follower follow(String function) {
        Follower follower = new Follower(this, function, clock, maxBytes, maxStall);
        followers.compute(function, (name, list) -> {
            if (closed) { // checked where close() cannot miss it: it removes each entry after setting closed
                follower.end(LogEvent.Reason.SHUTDOWN);
                return list;
            }
            List<Follower> to = list == null ? new CopyOnWriteArrayList<>() : list;
            to.add(follower);
            return to;
        });
        return follower;
    }

    /** How many follow {@code function} right now. */
    public int followers(String function) {
        List<Follower> list = followers.get(function);
        return list == null ? 0 : list.size();
    }

    /** Where one invocation of {@code function} prints: each line goes to the function's followers. */
    @Override
    public OutputListener output(String function, String invocationId) {
        return (stream, line) -> {
            List<Follower> list = followers.get(function);
            if (list != null && !list.isEmpty()) {
                // Milliseconds, as every other time of the API.
                Instant ts = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                publish(list, new LogEvent.Line(ts, invocationId, stream.label(), line));
            }
        };
    }

    /** An invocation ended: its report goes to its function's followers. */
    @Override
    public void ended(InvokeFunction.Invoked invoked) {
        List<Follower> list = followers.get(invoked.function());
        if (list == null || list.isEmpty()) {
            return;
        }
        InvocationResult result = invoked.result();
        publish(list, new LogEvent.Report(result.invocationId(), result.outcome().label(),
                result.httpStatus(), result.durationMillis(),
                result.initDurationMillis(), result.coldStart(), result.maxMemoryBytes()));
    }

    /** The function was deleted: every follower's stream ends, after what it has waiting. */
    public void deleted(String function) {
        List<Follower> list = followers.remove(function);
        if (list != null) {
            list.forEach(follower -> follower.end(LogEvent.Reason.DELETED));
        }
    }

    /**
     * The server is stopping: every stream ends (without a line: SPEC has none for it), so that the HTTP server need
     * not wait for them; later followers end at once.
     */
    @Override
    public void close() {
        closed = true;
        for (String function : followers.keySet()) {
            List<Follower> list = followers.remove(function);
            if (list != null) {
                list.forEach(follower -> follower.end(LogEvent.Reason.SHUTDOWN));
            }
        }
    }

    private void publish(List<Follower> list, LogEvent event) {
        for (Follower follower : list) {
            if (!follower.offer(event)) {
                unsubscribe(follower);
            }
        }
    }

    void unsubscribe(Follower follower) {
        followers.computeIfPresent(follower.function(), (name, list) -> {
            list.remove(follower);
            return list.isEmpty() ? null : list;
        });
    }
}

package io.glambdar.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The most recent invocations of each function with what they printed, so a user can read them back by id. */
public final class InvocationLogs {

    /**
     * One invocation's outcome and output.
     *
     * @param status {@code ok}, {@code error} or {@code timeout}
     * @param code   the failure code ({@code handler_threw}, {@code timeout}, ...), or null when it succeeded
     */
    public record Entry(String invocationId, Instant startedAt, long durationMs, String status, Integer statusCode,
                        String code, String logs) {
    }

    private final int perFunction;
    private final int maxLogChars;
    private final Map<String, Deque<Entry>> byFunction = new ConcurrentHashMap<>();

    public InvocationLogs(int perFunction, int maxLogChars) {
        this.perFunction = perFunction;
        this.maxLogChars = maxLogChars;
    }

    void add(String function, Entry entry) {
        if (entry.logs().length() > maxLogChars) {
            String kept = entry.logs().substring(entry.logs().length() - maxLogChars);
            entry = new Entry(entry.invocationId(), entry.startedAt(), entry.durationMs(), entry.status(),
                    entry.statusCode(), entry.code(),
                    "[... " + (entry.logs().length() - maxLogChars) + " earlier characters dropped]\n" + kept);
        }
        Deque<Entry> recent = byFunction.computeIfAbsent(function, name -> new ArrayDeque<>());
        synchronized (recent) { // per function, and only a few instructions long
            recent.addFirst(entry);
            while (recent.size() > perFunction) {
                recent.removeLast();
            }
        }
    }

    /** Newest first. */
    public List<Entry> recent(String function) {
        Deque<Entry> recent = byFunction.get(function);
        if (recent == null) {
            return List.of();
        }
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public Optional<Entry> find(String function, String invocationId) {
        return recent(function).stream().filter(e -> e.invocationId().equals(invocationId)).findFirst();
    }

    void forget(String function) {
        byFunction.remove(function);
    }
}

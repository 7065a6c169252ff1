package io.glambdar.store;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The most recent invocations of one deployed function, with what they printed, so a user can read them back by id.
 * Held by the function's {@link StoredFunction}: deleting the function drops them.
 */
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

    private final int capacity;
    private final int maxLogChars;
    private final Deque<Entry> recent = new ArrayDeque<>();

    InvocationLogs(int capacity, int maxLogChars) {
        this.capacity = capacity;
        this.maxLogChars = maxLogChars;
    }

    void add(Entry entry) {
        if (entry.logs().length() > maxLogChars) {
            String kept = entry.logs().substring(entry.logs().length() - maxLogChars);
            entry = new Entry(entry.invocationId(), entry.startedAt(), entry.durationMs(), entry.status(),
                    entry.statusCode(), entry.code(),
                    "[... " + (entry.logs().length() - maxLogChars) + " earlier characters dropped]\n" + kept);
        }
        synchronized (recent) { // this function only, and a few instructions long
            recent.addFirst(entry);
            while (recent.size() > capacity) {
                recent.removeLast();
            }
        }
    }

    /** Newest first. */
    List<Entry> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    Optional<Entry> find(String invocationId) {
        return recent().stream().filter(e -> e.invocationId().equals(invocationId)).findFirst();
    }
}

package io.glambdar.store.invocations;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The most recent invocations of one deployment, with what they printed, so a user can read them back by id. Held in
 * memory with the deployment: deleting the function drops them.
 */
public final class RecentInvocations {

    /** Invocations kept per deployment. */
    public static final int DEFAULT_CAPACITY = 50;
    /** Characters of output kept per invocation: a little of its start, and its end, where the error usually is. */
    public static final int DEFAULT_MAX_LOG_CHARS = 64 * 1024;

    private final int capacity;
    private final int maxLogChars;
    private final Deque<InvocationRecord> recent = new ArrayDeque<>();

    public RecentInvocations() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_LOG_CHARS);
    }

    RecentInvocations(int capacity, int maxLogChars) {
        this.capacity = capacity;
        this.maxLogChars = maxLogChars;
    }

    public void add(InvocationRecord record) {
        String logs = record.logs();
        if (logs.length() > maxLogChars) {
            // An eighth of it from the start (more than the engine keeps there, so a mark of its own stays in view).
            int head = maxLogChars / 8;
            int tail = maxLogChars - head;
            record = record.withLogs(logs.substring(0, head) + "\n[... " + (logs.length() - maxLogChars)
                    + " characters dropped]\n" + logs.substring(logs.length() - tail));
        }
        synchronized (recent) { // this deployment only, and a few instructions long
            recent.addFirst(record);
            while (recent.size() > capacity) {
                recent.removeLast();
            }
        }
    }

    /** Newest first. */
    public List<InvocationRecord> newestFirst() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    public Optional<InvocationRecord> find(String invocationId) {
        return newestFirst().stream().filter(r -> r.invocationId().equals(invocationId)).findFirst();
    }
}

package io.glambdar.store.invocations;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The most recent invocations of one function, with what they printed, so a user can read them back by id. Held in
 * memory with the function (deleting the function drops them) and written behind to the repository
 * ({@link InvocationLogWriter}), so that a restart keeps them.
 */
public final class RecentInvocations {

    /** Invocations kept per deployment. */
    public static final int DEFAULT_CAPACITY = 50;

    private final String functionName;
    private final String functionId;
    private final int capacity;
    private final Deque<InvocationRecord> recent = new ArrayDeque<>();
    /** Records added since this object was made, and of those, how many were saved: both only grow. */
    private long added;
    private long saved;

    /** The records not yet saved (newest first, at most the capacity), and the mark to pass to {@link #saved}. */
    public record Unsaved(List<InvocationRecord> newestFirst, long mark) {
    }

    /** @param functionId the life of the function they belong to (a delete and a new deploy make a new one) */
    public RecentInvocations(String functionName, String functionId) {
        this(functionName, functionId, DEFAULT_CAPACITY);
    }

    RecentInvocations(String functionName, String functionId, int capacity) {
        this.functionName = functionName;
        this.functionId = functionId;
        this.capacity = capacity;
    }

    public String functionName() {
        return functionName;
    }

    public String functionId() {
        return functionId;
    }

    /**
     * Keeps the record as it is: the engine already cut its logs to their limit (ReplyLimits' log bytes, for what the
     * invocation and its loading printed), with the one marker that says how much was dropped.
     */
    public void add(InvocationRecord record) {
        synchronized (recent) { // this function only, and a few instructions long
            recent.addFirst(record);
            while (recent.size() > capacity) {
                recent.removeLast();
            }
            added++;
        }
    }

    /** Puts back records saved before a restart (newest first), behind any added since; they are not saved again. */
    public void restore(List<InvocationRecord> newestFirst) {
        synchronized (recent) {
            for (InvocationRecord record : newestFirst) {
                if (recent.size() >= capacity) {
                    break;
                }
                recent.addLast(record);
            }
        }
    }

    /** What was added since the last {@link #saved}: of those, the ones still held. */
    public Unsaved unsaved() {
        synchronized (recent) {
            int count = (int) Math.min(added - saved, recent.size());
            return new Unsaved(recent.stream().limit(count).toList(), added);
        }
    }

    /** The records {@link #unsaved()} returned with this mark are saved. */
    public void saved(long mark) {
        synchronized (recent) {
            saved = Math.max(saved, mark);
        }
    }

    /** How many records it keeps. */
    public int capacity() {
        return capacity;
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

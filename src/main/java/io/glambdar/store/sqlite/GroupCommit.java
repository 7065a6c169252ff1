package io.glambdar.store.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Commits the writes of concurrent callers together: each caller hands in its item and waits; one of them (the
 * leader) writes every item waiting at that moment in one transaction, and each caller returns once the transaction
 * holding its item is committed. Under load this turns N commits into one (the commit, not the row, is what costs);
 * alone, a caller commits at once as before. No thread of its own: the leader is whichever caller found no leader.
 *
 * <p>A batch that fails is written again one item per transaction, so one bad item fails only its own caller.
 *
 * @param <T> what a caller writes
 * @param <R> what the write returns to that caller
 */
public final class GroupCommit<T, R> {

    /** Writes one item inside the batch's transaction. */
    @FunctionalInterface
    public interface ItemWrite<T, R> {
        R write(Connection c, T item) throws SQLException;
    }

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    private final SqliteDatabase db;
    private final String what;
    private final ItemWrite<T, R> write;
    private final int maxBatch;
    private final ArrayDeque<Pending<T, R>> waiting = new ArrayDeque<>(); // guarded by itself
    private boolean leading; // guarded by waiting

    /** @param what what a batch does, for error messages ("queue jobs") */
    public GroupCommit(SqliteDatabase db, String what, int maxBatch, ItemWrite<T, R> write) {
        this.db = db;
        this.what = what;
        this.write = write;
        this.maxBatch = maxBatch;
    }

    /** Writes {@code item}; returns once it is committed. Failures are those of {@link SqliteDatabase}. */
    public R submit(T item) {
        Pending<T, R> mine = new Pending<>(item, new CompletableFuture<>());
        boolean lead;
        synchronized (waiting) {
            waiting.add(mine);
            lead = !leading;
            leading = true;
        }
        if (lead) {
            lead();
        }
        try {
            return mine.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a commit", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Writes batches until none is waiting, then gives up the lead. */
    private void lead() {
        while (true) {
            List<Pending<T, R>> batch = new ArrayList<>();
            synchronized (waiting) {
                while (!waiting.isEmpty() && batch.size() < maxBatch) {
                    batch.add(waiting.poll());
                }
                if (batch.isEmpty()) {
                    leading = false;
                    return;
                }
            }
            writeBatch(batch);
        }
    }

    private void writeBatch(List<Pending<T, R>> batch) {
        List<R> results;
        try {
            results = db.inTransaction(what, c -> {
                List<R> written = new ArrayList<>(batch.size());
                for (Pending<T, R> pending : batch) {
                    written.add(write.write(c, pending.item()));
                }
                return written;
            });
        } catch (RuntimeException | Error e) {
            // An Error too (out of memory, say): were it to escape, the lead would never be given up and every
            // caller, now and later, would wait for ever.
            if (batch.size() == 1) {
                batch.getFirst().result().completeExceptionally(e);
                return;
            }
            for (Pending<T, R> pending : batch) {
                writeBatch(List.of(pending));
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }
}

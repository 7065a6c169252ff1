package io.glambdar.store.invocations;

import java.util.Collection;
import java.util.List;

/**
 * Where each function's recent invocations are kept across restarts (SQLite today). A function's records go with it:
 * deleting the function deletes them (see {@code FunctionRepository#delete}).
 */
public interface InvocationLogRepository {

    /**
     * Invocations of one life of a function ({@code functionId}) to save, newest first.
     */
    record Batch(String functionName, String functionId, List<InvocationRecord> newestFirst) {
    }

    /**
     * Saves each batch, then keeps only the newest {@code keep} records of each of its functions. A batch of a function
     * no longer deployed under that life (deleted meanwhile) is dropped, not saved.
     */
    void save(Collection<Batch> batches, int keep);

    /** The newest {@code limit} records saved for this life of a function, newest first. */
    List<InvocationRecord> recent(String functionId, int limit);
}

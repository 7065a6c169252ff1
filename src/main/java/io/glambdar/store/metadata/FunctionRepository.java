package io.glambdar.store.metadata;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The deployed functions' metadata: one {@link FunctionRecord} per function name, shared by every node that serves
 * the functions (today one SQLite file; later a PostgreSQL database).
 *
 * <p>Every method may be called from any thread, and several processes may use the same repository at once: the name's
 * uniqueness ({@link #insert}) and additive statistics ({@link #applyStats}) are what keeps them consistent, never a
 * lock held in one process. Failures of the storage itself are {@link MetadataException}s.
 */
public interface FunctionRepository extends AutoCloseable {

    /**
     * Adds the row of a newly deployed function. This is where two deploys of one name racing each other (in one
     * process or on two nodes) are decided: exactly one insert succeeds.
     *
     * @throws DuplicateFunctionException if a row with this name exists (the existing row is left as it is)
     */
    void insert(FunctionRecord record);

    /** The function called {@code name}, if there is one. */
    Optional<FunctionRecord> find(String name);

    /** Every function, ordered by name (binary order: {@code "B" < "a"}). */
    List<FunctionRecord> findAll();

    /**
     * Removes the row of {@code name} if it still belongs to {@code deploymentId}: a delete never removes a later
     * deploy of the same name.
     *
     * @return whether a row was removed
     */
    boolean delete(String name, String deploymentId);

    /**
     * Adds a batch of statistics, all of it or (on a failure) none of it. Each delta adds its counts to the row with
     * the same name and deployment id, and moves its "last" columns forward as described in {@link StatsDelta}. A
     * delta matching no row (the function was deleted, or deleted and deployed again) is dropped without failing the
     * batch.
     */
    void applyStats(Collection<StatsDelta> deltas);

    /** Releases the storage; later calls fail with {@link IllegalStateException}. Closing twice does nothing. */
    @Override
    void close();
}

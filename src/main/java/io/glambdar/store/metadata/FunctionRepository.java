package io.glambdar.store.metadata;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The deployed functions' metadata: one {@link FunctionRecord} per function name and its {@link VersionRecord}s,
 * shared by every node that serves the functions (today one SQLite file; later a PostgreSQL database).
 *
 * <p>Every method may be called from any thread, and several processes may use the same repository at once: unique
 * keys (a function's name, a version's number) and additive statistics ({@link #applyStats}) are what keeps them
 * consistent, never a lock held in one process. Failures of the storage itself are {@link MetadataException}s.
 */
public interface FunctionRepository {

    /**
     * Adds a newly deployed function with its first version, both or neither. This is where two deploys of one new
     * name racing each other (in one process or on two nodes) are decided: exactly one succeeds.
     *
     * @throws DuplicateFunctionException if a function with this name exists (it is left as it is)
     */
    void insert(FunctionRecord function, VersionRecord first);

    /**
     * Adds a version to the function's life {@code functionId} and makes it the active one, both or neither. The
     * repository gives it its number: one more than the highest the function ever had, so concurrent updates (on any
     * node) each get their own, and no number is ever given twice, even after its version was pruned.
     *
     * @param numbered makes the version's record, given its number
     * @return the version added; empty when that function is gone (deleted, perhaps deployed again since): nothing
     *         was written
     */
    Optional<VersionRecord> addVersion(String name, String functionId, IntFunction<VersionRecord> numbered);

    /**
     * Makes a kept version the active one.
     *
     * @return false when the function's life {@code functionId} or that version is gone: nothing changed
     */
    boolean activate(String name, String functionId, int version);

    /** Forgets versions of a function (pruned ones); an active version is never among them. */
    void deleteVersions(String name, Collection<Integer> versions);

    /** The function called {@code name}, if there is one. */
    Optional<FunctionRecord> find(String name);

    /** Every function, ordered by name (binary order: {@code "B" < "a"}). */
    List<FunctionRecord> findAll();

    /** The function's kept versions, newest first; empty for an unknown name. */
    List<VersionRecord> findVersions(String name);

    /** The kept versions of every function, by name, each function's newest first: what start-up loads at once. */
    List<VersionRecord> findAllVersions();

    /**
     * Removes the function, all its versions, its invoke keys and its recent invocations, if it is still the life
     * {@code functionId}: a delete
     * never removes a later deploy of the same name.
     *
     * @return whether a function was removed
     */
    boolean delete(String name, String functionId);

    /**
     * Adds a batch of statistics, all of it or (on a failure) none of it. Each delta adds its counts to the function
     * with the same name and function id, and moves its "last" columns forward as described in {@link StatsDelta}. A
     * delta matching no function (deleted, or deleted and deployed again) is dropped without failing the batch.
     */
    void applyStats(Collection<StatsDelta> deltas);
}

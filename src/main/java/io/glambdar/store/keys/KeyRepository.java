package io.glambdar.store.keys;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where invoke keys are kept (their hashes, never the keys). Implementations: SQLite today; any database that can
 * hold one row per key will do, so nothing here assumes one file or one process.
 *
 * <p>Every method throws {@link io.glambdar.store.metadata.MetadataException} when the database fails.
 */
public interface KeyRepository {

    /** Adds a key; its id is new (ids are random, 64 bits or more). */
    void insert(InvokeKeyRecord key);

    /** The keys of one function name (of any of its lives), oldest first. */
    List<InvokeKeyRecord> findByFunction(String functionName);

    /** Every key, oldest first: what a server loads at start. */
    List<InvokeKeyRecord> findAll();

    /** @return whether a key with that id and function name was there */
    boolean delete(String functionName, String keyId);

    /** Deletes every key of the function name (of any of its lives). @return how many */
    int deleteAllOf(String functionName);

    /**
     * Sets the last-use time of each key in {@code lastUsedByKeyId} (in one batch where the database allows); a key
     * deleted in the meantime is skipped. A time earlier than the stored one never moves it back.
     */
    void recordLastUsed(Map<String, Instant> lastUsedByKeyId);
}

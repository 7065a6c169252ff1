package io.glambdar.store.keys;

import io.glambdar.store.WriteBehind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every invoke key, by id, in memory: loaded from the {@link KeyRepository} at start and kept in step with it on
 * every create and revoke, so that checking a key on an invocation never touches the database. A revoked key is gone
 * from here before its revoke returns.
 *
 * <p>When a key was last used is kept here and written behind: every {@code flushInterval} the keys used since the
 * last flush go to the repository in one batch, and once more at {@link #close()}. A crash (not a close) loses at most
 * one interval of last-use times, never a key.
 */
public final class KeyIndex implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyIndex.class);

    /** One key, with its last use as it is now (the stored one may lag behind by a flush). */
    public static final class IndexedKey {
        private final InvokeKeyRecord stored;
        /** The stored hex hash as bytes, decoded once: a key is checked on every invocation that presents it. */
        private final byte[] hashBytes;
        private volatile Instant lastUsedAt;
        /** Set on use, cleared when a flush takes the time: a use between the two is written by the next flush. */
        private final AtomicBoolean unsaved = new AtomicBoolean();

        private IndexedKey(InvokeKeyRecord stored) {
            this.stored = stored;
            this.hashBytes = HexFormat.of().parseHex(stored.keyHash());
            this.lastUsedAt = stored.lastUsedAt();
        }

        public String keyId() {
            return stored.keyId();
        }

        public String functionName() {
            return stored.functionName();
        }

        public String functionId() {
            return stored.functionId();
        }

        public String keyHash() {
            return stored.keyHash();
        }

        /** Whether {@code hash} (a presented key's SHA-256) is this key's, compared in constant time. */
        public boolean hashEquals(byte[] hash) {
            return MessageDigest.isEqual(hashBytes, hash);
        }

        public Instant createdAt() {
            return stored.createdAt();
        }

        public Instant lastUsedAt() {
            return lastUsedAt;
        }

        public InvokeKeyRecord toRecord() {
            return stored.withLastUsedAt(lastUsedAt);
        }
    }

    private final KeyRepository repository;
    private final Map<String, IndexedKey> byId = new ConcurrentHashMap<>();
    private final WriteBehind writeBehind;

    private KeyIndex(KeyRepository repository, Duration flushInterval) {
        this.repository = repository;
        this.writeBehind = new WriteBehind("when invoke keys were last used", flushInterval, this::flush);
    }

    /** Loads every key from {@code repository} and starts writing last-use times behind, every {@code flushInterval}. */
    public static KeyIndex load(KeyRepository repository, Duration flushInterval) {
        List<InvokeKeyRecord> all = repository.findAll();
        KeyIndex index = new KeyIndex(repository, flushInterval);
        for (InvokeKeyRecord key : all) {
            index.byId.put(key.keyId(), new IndexedKey(key));
        }
        log.info("{} invoke keys loaded", all.size());
        return index;
    }

    /** Stores a new key, then serves it. */
    public void add(InvokeKeyRecord key) {
        repository.insert(key);
        byId.put(key.keyId(), new IndexedKey(key));
    }

    /** The key with that id, or null. Memory only. */
    public IndexedKey find(String keyId) {
        return byId.get(keyId);
    }

    /** The keys of a function name (any of its lives), oldest first. Memory only. */
    public List<IndexedKey> ofFunction(String functionName) {
        return byId.values().stream().filter(key -> key.functionName().equals(functionName))
                .sorted(Comparator.comparing(IndexedKey::createdAt).thenComparing(IndexedKey::keyId))
                .toList();
    }

    /**
     * Deletes the key from the repository, then from memory: it fails from the next request on.
     *
     * @return whether the function had a key of that id
     */
    public boolean remove(String functionName, String keyId) {
        IndexedKey key = byId.get(keyId);
        boolean stored = repository.delete(functionName, keyId);
        if (key != null && key.functionName().equals(functionName)) {
            byId.remove(keyId, key);
            return true;
        }
        return stored;
    }

    /** Deletes every key of the function name. @return how many there were */
    public int removeAllOf(String functionName) {
        int stored = repository.deleteAllOf(functionName);
        int inMemory = 0;
        for (IndexedKey key : byId.values()) {
            if (key.functionName().equals(functionName) && byId.remove(key.keyId(), key)) {
                inMemory++;
            }
        }
        return Math.max(stored, inMemory);
    }

    /**
     * Notes a use of the key, in memory; the next flush writes it. Writes only when the time moved on: callers in
     * parallel presenting one key share its fields, and writing them on every call would have every core fight over
     * them.
     */
    public void used(IndexedKey key, Instant at) {
        Instant last = key.lastUsedAt;
        if (last == null || at.isAfter(last)) {
            key.lastUsedAt = at;
            if (!key.unsaved.get()) {
                key.unsaved.set(true);
            }
        }
    }

    /** Writes the last-use times that changed since the last flush, in one batch. */
    public synchronized void flush() {
        Map<String, Instant> changed = new LinkedHashMap<>();
        List<IndexedKey> taken = new ArrayList<>();
        for (IndexedKey key : byId.values()) {
            if (key.unsaved.getAndSet(false)) {
                taken.add(key);
                changed.put(key.keyId(), key.lastUsedAt);
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        try {
            repository.recordLastUsed(changed);
        } catch (RuntimeException e) {
            taken.forEach(key -> key.unsaved.set(true)); // the next flush tries again
            throw e;
        }
    }

    /** Stops the periodic flush and writes the last times. The repository is closed by its owner, afterwards. */
    @Override
    public void close() {
        writeBehind.close();
    }
}

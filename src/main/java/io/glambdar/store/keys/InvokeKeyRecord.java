package io.glambdar.store.keys;

import java.time.Instant;
import java.util.Objects;

/**
 * One invoke key as stored: never the key itself, only its hash.
 *
 * @param keyId        public identifier, part of the key itself ({@code gk_<keyId>_<secret>}): lookup is by id
 * @param functionName the function the key invokes
 * @param functionId   the life of that function the key was made for: a key never works for a later deploy of the
 *                     same name after a delete
 * @param keyHash      hex SHA-256 of the whole key
 * @param lastUsedAt   null before its first use
 */
public record InvokeKeyRecord(String keyId, String functionName, String functionId, String keyHash,
                              Instant createdAt, Instant lastUsedAt) {

    public InvokeKeyRecord {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public InvokeKeyRecord withLastUsedAt(Instant at) {
        return new InvokeKeyRecord(keyId, functionName, functionId, keyHash, createdAt, at);
    }
}

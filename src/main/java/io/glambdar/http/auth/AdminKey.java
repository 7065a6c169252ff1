package io.glambdar.http.auth;

import io.glambdar.usecase.InvokeKeyFormat;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The admin key ({@code GLAMBDAR_ADMIN_KEY}), kept only as its SHA-256: a presented key is hashed and the hashes are
 * compared in constant time, so neither the comparison's time nor a heap dump gives the key away.
 */
public final class AdminKey {

    private final byte[] hash;

    private AdminKey(byte[] hash) {
        this.hash = hash;
    }

    public static AdminKey of(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("the admin key is empty");
        }
        return new AdminKey(InvokeKeyFormat.sha256(key));
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(InvokeKeyFormat.sha256(presented), hash);
    }

    @Override
    public String toString() {
        return "AdminKey[hidden]";
    }
}

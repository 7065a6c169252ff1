package io.glambdar.store;

/** The function exists, but not the version asked for (never deployed, or pruned). */
public final class VersionNotFoundException extends RuntimeException {

    public VersionNotFoundException(String message) {
        super(message, null, false, false);
    }
}

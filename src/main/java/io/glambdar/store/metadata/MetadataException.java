package io.glambdar.store.metadata;

/**
 * The metadata database could not be opened or used: an unreadable, corrupt or too-new file, or an SQL failure.
 * The message names the database file and, where there is one, what to do about it.
 */
public class MetadataException extends RuntimeException {

    public MetadataException(String message) {
        super(message);
    }

    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}

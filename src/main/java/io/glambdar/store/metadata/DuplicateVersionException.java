package io.glambdar.store.metadata;

/** A version number of a function was taken by another deploy at the same time (on another node): try the next. */
public class DuplicateVersionException extends RuntimeException {

    public DuplicateVersionException(String functionName, int version) {
        super("version " + version + " of function '" + functionName + "' already exists");
    }
}

package io.glambdar.cli;

/** A client command failed in a way the user can act on: printed as one line {@code error: <message>}, exit status 1. */
public final class ClientException extends RuntimeException {

    public ClientException(String message) {
        super(message);
    }

    public ClientException(String message, Throwable cause) {
        super(message, cause);
    }
}

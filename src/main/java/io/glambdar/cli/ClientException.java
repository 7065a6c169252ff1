package io.glambdar.cli;

/**
 * A client command failed in a way the user can act on: printed as one line {@code error: <message>}, exit status 1;
 * with {@code --json}, the server's JSON error as it came, when the server answered with one.
 */
public final class ClientException extends RuntimeException {

    private final byte[] serverJson;

    public ClientException(String message) {
        this(message, (byte[]) null);
    }

    public ClientException(String message, Throwable cause) {
        super(message, cause);
        this.serverJson = null;
    }

    /** @param serverJson the server's {@code {"error": ...}} answer, as it came */
    ClientException(String message, byte[] serverJson) {
        super(message);
        this.serverJson = serverJson;
    }

    /** The server's JSON error answer, or null when the failure is not one. */
    byte[] serverJson() {
        return serverJson;
    }
}

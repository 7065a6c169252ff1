package io.glambdar.http;

/** A request the HTTP layer refuses itself (a bad header, a body too large): {@code status} with the message. */
final class RequestRejected extends RuntimeException {

    private final int status;

    RequestRejected(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}

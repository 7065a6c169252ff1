package io.glambdar.engine;

/** No container could be had for an invocation in time (capacity or a reuse limit); the client should retry later. */
final class OverloadedException extends RuntimeException {

    final int retryAfterSeconds;

    OverloadedException(String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.retryAfterSeconds = retryAfterSeconds;
    }
}

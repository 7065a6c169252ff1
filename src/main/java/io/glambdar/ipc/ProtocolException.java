package io.glambdar.ipc;

import java.io.IOException;

/**
 * The worker broke the protocol: a bad frame, malformed JSON, a message of the wrong shape or for the wrong invocation.
 * The connection is out of step afterwards and must be closed, never reused.
 */
public class ProtocolException extends IOException {

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}

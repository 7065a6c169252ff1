package io.glambdar.sandbox;

/** Docker refused or failed to do what a sandbox needed; the message is meant for the operator. */
public class SandboxException extends RuntimeException {

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}

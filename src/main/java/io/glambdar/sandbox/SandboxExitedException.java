package io.glambdar.sandbox;

import java.io.IOException;

/** The sandbox's process ended before its worker connected: nothing will ever answer on it. */
public final class SandboxExitedException extends IOException {

    public SandboxExitedException(String message) {
        super(message);
    }
}

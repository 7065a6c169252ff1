package io.glambdar.store.jobs;

import java.util.Objects;

/** Why a job did not succeed: a machine-readable code ({@code "function_error"}, {@code "timeout"}, …) and a message. */
public record JobError(String code, String message) {

    public JobError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}

package io.glambdar.store.jobs;

import java.util.Objects;

/** Why a job did not succeed: a machine-readable code ({@code "function_error"}, {@code "timeout"}, …) and a message. */
public record JobError(String code, String message) {

    public JobError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /** Why a job did not run: its function was deleted first. */
    public static JobError functionDeleted(String functionName) {
        return new JobError("function_deleted", "function '" + functionName + "' was deleted before this invocation"
                + " ran; deploy it again and retry the invocation (POST /invocations/<id>/retry) if it is still"
                + " wanted");
    }
}

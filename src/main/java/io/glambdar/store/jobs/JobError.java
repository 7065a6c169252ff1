package io.glambdar.store.jobs;

import java.util.Objects;

/** Why a job did not succeed: a machine-readable code ({@code "function_error"}, {@code "timeout"}, …) and a message. */
public record JobError(String code, String message) {

    public JobError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    /**
     * Why a queued job was not run (again): its function was deleted while it waited, for its first attempt or for a
     * retry after attempts that ran ({@code attempts} in its record says which).
     */
    public static JobError functionDeleted(String functionName) {
        return new JobError("function_deleted", "function '" + functionName + "' was deleted while this invocation"
                + " was queued (waiting for its first attempt or for a retry; attempts says how many ran), so it runs"
                + " no more; deploy it again and retry the invocation (POST /invocations/<id>/retry) if it is still"
                + " wanted");
    }
}

package io.glambdar.store.schedules;

import java.time.Instant;
import java.util.Objects;

/**
 * Where one schedule of a function stands: entry {@code index} of the {@code "schedules"} of the function's active
 * version, identified by that version's deployment id (a new version, a rollback or a new deploy of the name starts
 * it afresh).
 *
 * @param nextRunAt        when it fires next; null when it never fires again
 * @param lastRunAt        the time of its last firing (as scheduled); null before the first
 * @param lastInvocationId the asynchronous invocation of that firing; null before the first
 * @param skipped          firings skipped because the previous run was still queued or running
 */
public record ScheduleState(String functionName, int index, String deploymentId, Instant nextRunAt,
                            Instant lastRunAt, String lastInvocationId, long skipped) {

    public ScheduleState {
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(deploymentId, "deploymentId");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
    }

    /** Whether it is due at {@code now}. */
    public boolean isDue(Instant now) {
        return nextRunAt != null && !nextRunAt.isAfter(now);
    }
}

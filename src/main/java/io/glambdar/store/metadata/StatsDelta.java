package io.glambdar.store.metadata;

import java.time.Instant;
import java.util.Objects;

/**
 * Statistics accumulated in memory for one function since the last flush, to be added to its row by
 * {@link FunctionRepository#applyStats}.
 *
 * <p>{@code lastStatus} and {@code lastDurationMs} describe the invocation at {@code lastInvokedAt}. They replace the
 * stored ones only if {@code lastInvokedAt} is not older than the stored last invocation time, so the three "last"
 * columns always describe the same invocation, whatever order deltas arrive in. A delta without
 * {@code lastInvokedAt} changes only the counters.
 *
 * @param name           the function's name
 * @param functionId     the life of the function the statistics belong to; the delta is dropped if the row has another
 * @param invocations    invocations to add to the count
 * @param errors         failed invocations to add to the error count
 * @param lastInvokedAt  time of the latest invocation counted in this delta; nullable
 * @param lastStatus     outcome of that invocation; nullable
 * @param lastDurationMs duration of that invocation in milliseconds; nullable
 */
public record StatsDelta(
        String name,
        String functionId,
        long invocations,
        long errors,
        Instant lastInvokedAt,
        String lastStatus,
        Long lastDurationMs) {

    public StatsDelta {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(functionId, "functionId");
        FunctionRecord.requireNonNegative(invocations, "invocations");
        FunctionRecord.requireNonNegative(errors, "errors");
        if (lastDurationMs != null) {
            FunctionRecord.requireNonNegative(lastDurationMs, "lastDurationMs");
        }
        lastInvokedAt = FunctionRecord.toMillis(lastInvokedAt);
    }
}

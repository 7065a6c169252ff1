package io.glambdar.usecase.schedule;

import java.time.Instant;

/**
 * One entry of {@code GET /schedules}.
 *
 * @param index            in the active version's {@code "schedules"}
 * @param cron             as written
 * @param nextRunAt        null when it never fires again
 * @param lastRunAt        the time of its last firing (as scheduled); null before the first
 * @param lastInvocationId the asynchronous invocation of that firing ({@code GET /invocations/:id})
 * @param lastStatus       that invocation's status ({@code queued}, {@code running}, {@code succeeded}, …); null
 *                         before the first firing, or once the record is gone
 * @param skipped          firings skipped because the previous run was still queued or running
 */
public record ScheduleInfo(String function, int index, String cron, String timezone, Instant nextRunAt,
                           Instant lastRunAt, String lastInvocationId, String lastStatus, long skipped) {
}

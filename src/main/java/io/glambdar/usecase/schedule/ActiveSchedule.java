package io.glambdar.usecase.schedule;

import io.glambdar.function.ScheduleSettings;
import io.glambdar.schedule.CronSchedule;
import io.glambdar.schedule.ScheduleZone;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.schedules.ScheduleState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One schedule of a function's active version: entry {@code index} of its {@code "schedules"}.
 *
 * @param deploymentId the active version's, which its {@link ScheduleState} must belong to
 * @param deployedAt   when that version was deployed
 */
record ActiveSchedule(String function, String deploymentId, Instant deployedAt, int index, ScheduleSettings settings) {

    /** Every schedule of the active versions of the functions deployed now, by function name and index. */
    static List<ActiveSchedule> in(FunctionCatalog catalog) {
        List<ActiveSchedule> schedules = new ArrayList<>();
        for (StoredFunction function : catalog.all()) {
            Deployment active = function.active();
            List<ScheduleSettings> settings = active.settings().schedules();
            for (int i = 0; i < settings.size(); i++) {
                schedules.add(new ActiveSchedule(function.name(), active.deploymentId(), active.deployedAt(), i,
                        settings.get(i)));
            }
        }
        return schedules;
    }

    /**
     * Its first firing strictly after {@code after}; empty when it never fires again.
     *
     * @throws IllegalArgumentException or {@link java.time.DateTimeException} when the stored cron or zone is not
     *                                  valid any more (checked at deploy, so only with an older server's rows)
     */
    Optional<Instant> nextAfter(Instant after) {
        return CronSchedule.parse(settings.cron()).nextAfter(after, ScheduleZone.of(settings.timezone()));
    }

    /** Whether {@code state} is this schedule's, of this version. */
    boolean owns(ScheduleState state) {
        return state.functionName().equals(function) && state.index() == index
                && state.deploymentId().equals(deploymentId);
    }
}

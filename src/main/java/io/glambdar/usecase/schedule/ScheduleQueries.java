package io.glambdar.usecase.schedule;

import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.store.schedules.ScheduleState;
import io.glambdar.store.schedules.ScheduleStateRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /schedules}: the schedules of the functions' active versions, as deployed right now (a schedule the
 * scheduler has not seen yet is listed too, with the firing it will make first).
 */
public final class ScheduleQueries {

    private final FunctionCatalog catalog;
    private final ScheduleStateRepository states;
    private final JobRepository jobs;
    private final Clock clock;

    public ScheduleQueries(FunctionCatalog catalog, ScheduleStateRepository states, JobRepository jobs, Clock clock) {
        this.catalog = catalog;
        this.states = states;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** By function name, then index. */
    public List<ScheduleInfo> list() {
        Map<String, ScheduleState> stored = new HashMap<>();
        for (ScheduleState state : states.all()) {
            stored.put(state.functionName() + '\n' + state.index(), state);
        }
        Instant now = clock.instant();
        List<ScheduleInfo> list = new ArrayList<>();
        for (ActiveSchedule schedule : ActiveSchedule.in(catalog)) {
            ScheduleState state = stored.get(schedule.function() + '\n' + schedule.index());
            if (state != null && !schedule.owns(state)) {
                state = null; // an earlier version's: this one has not fired yet
            }
            list.add(new ScheduleInfo(schedule.function(), schedule.index(), schedule.settings().cron(),
                    schedule.settings().timezone(), state != null ? state.nextRunAt() : nextRun(schedule, now),
                    state == null ? null : state.lastRunAt(), state == null ? null : state.lastInvocationId(),
                    state == null ? null : lastStatus(state), state == null ? 0 : state.skipped()));
        }
        return list;
    }

    private static Instant nextRun(ActiveSchedule schedule, Instant now) {
        try {
            return schedule.nextAfter(now).orElse(null);
        } catch (RuntimeException e) { // unreadable: the scheduler says so in its log, and never fires it
            return null;
        }
    }

    private String lastStatus(ScheduleState state) {
        if (state.lastInvocationId() == null) {
            return null;
        }
        return jobs.find(state.lastInvocationId()).map(Job::status).map(JobStatus::dbName).orElse(null);
    }
}

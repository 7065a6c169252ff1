package io.glambdar.usecase.schedule;

import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.store.schedules.ScheduleState;
import io.glambdar.store.schedules.ScheduleStateRepository;
import io.glambdar.usecase.async.AcceptInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One pass of the scheduler ({@link #fireDue}): brings the schedules' state in line with the functions' active
 * versions, and fires the schedules that are due, each as an asynchronous invocation of its function.
 *
 * <p>A firing whose previous run of the same schedule is still queued or running is skipped and counted. A firing
 * that was due before this scheduler started (the server was down) is passed over, not made up; one due less than
 * {@link #ON_TIME} before the start still fires, so that a node starting beside others never takes a firing another
 * is about to make. After a pause, the next firing is the first after now: missed ones collapse into the one fired.
 */
public final class FireSchedules {

    private static final Logger log = LoggerFactory.getLogger(FireSchedules.class);

    /** How late a firing may be and still fire: the promise that schedules fire within 1 s of their time. */
    static final Duration ON_TIME = Duration.ofSeconds(1);

    private final FunctionCatalog catalog;
    private final ScheduleStateRepository states;
    private final JobRepository jobs;
    private final AcceptInvocation accept;
    private final Clock clock;
    /** Firings due before this were missed while no scheduler ran. */
    private final Instant missedBefore;

    public FireSchedules(FunctionCatalog catalog, ScheduleStateRepository states, JobRepository jobs,
                         AcceptInvocation accept, Clock clock) {
        this.catalog = catalog;
        this.states = states;
        this.jobs = jobs;
        this.accept = accept;
        this.clock = clock;
        this.missedBefore = clock.instant().minus(ON_TIME);
    }

    /**
     * Fires what is due now, and starts (or forgets) the state of schedules deployed (or removed) since the last pass.
     *
     * @return when the next schedule is due; null when none is
     */
    public Instant fireDue() {
        Instant now = clock.instant();
        Map<String, ScheduleState> stored = new HashMap<>();
        for (ScheduleState state : states.all()) {
            stored.put(key(state.functionName(), state.index()), state);
        }
        Instant earliest = null;
        List<ActiveSchedule> active = ActiveSchedule.in(catalog);
        for (ActiveSchedule schedule : active) {
            ScheduleState state = stored.remove(key(schedule.function(), schedule.index()));
            try {
                if (state == null || !state.deploymentId().equals(schedule.deploymentId())) {
                    state = states.start(schedule.function(), schedule.index(), schedule.deploymentId(),
                            firstRun(schedule, now));
                }
                Instant next = schedule.owns(state) && state.isDue(now) ? fire(schedule, state, now)
                        : state.nextRunAt();
                // A due schedule left unfired (another scheduler's, mid-change) waits for the next pass.
                if (next != null && next.isAfter(now) && (earliest == null || next.isBefore(earliest))) {
                    earliest = next;
                }
            } catch (RuntimeException e) { // one schedule's trouble never stops the others
                log.warn("Schedule {} of function {} could not be run: {}", schedule.index(), schedule.function(),
                        e.toString());
            }
        }
        forget(stored.values(), active);
        return earliest;
    }

    /** When a schedule first seen now fires first; null, with a warning, if its stored form cannot be read. */
    private static Instant firstRun(ActiveSchedule schedule, Instant now) {
        try {
            return schedule.nextAfter(now).orElse(null);
        } catch (RuntimeException e) {
            log.warn("Schedule {} of function {} ({} in {}) will not fire: {}", schedule.index(), schedule.function(),
                    schedule.settings().cron(), schedule.settings().timezone(), e.getMessage());
            return null;
        }
    }

    /** Fires, skips or passes over a due firing. @return when the schedule is due next */
    private Instant fire(ActiveSchedule schedule, ScheduleState due, Instant now) {
        Instant next = schedule.nextAfter(now).orElse(null);
        if (due.nextRunAt().isBefore(missedBefore)) {
            if (states.passOver(due, next)) {
                log.info("Schedule {} of function {}: the firing of {} was missed while the server was down",
                        schedule.index(), schedule.function(), due.nextRunAt());
            }
            return next;
        }
        if (previousRunPending(due)) {
            if (states.claimSkip(due, next)) {
                log.debug("Schedule {} of function {}: skipped the firing of {}, the previous run ({}) is still"
                        + " queued or running", schedule.index(), schedule.function(), due.nextRunAt(),
                        due.lastInvocationId());
            }
            return next;
        }
        if (!states.claimFiring(due, next)) {
            return next; // another scheduler fired it, or the schedule was replaced
        }
        try {
            String id = accept.accept(schedule.function(), request(schedule), null, null).job().id();
            states.recordInvocation(due, id);
            log.debug("Schedule {} of function {} fired for {}: invocation {}", schedule.index(), schedule.function(),
                    due.nextRunAt(), id);
        } catch (FunctionNotFoundException e) {
            log.debug("Schedule {} of function {}: deleted before it fired", schedule.index(), schedule.function());
        }
        return next;
    }

    private boolean previousRunPending(ScheduleState state) {
        if (state.lastInvocationId() == null) {
            return false;
        }
        return jobs.find(state.lastInvocationId())
                .map(job -> job.status() == JobStatus.QUEUED || job.status() == JobStatus.RUNNING)
                .orElse(false);
    }

    /** A firing as {@code POST /async/:name} with the schedule's body would send it. */
    private static JobRequest request(ActiveSchedule schedule) {
        return new JobRequest("POST", "/", "", Map.of(
                "content-type", List.of("application/json"),
                AcceptInvocation.SCHEDULE_HEADER, List.of(schedule.settings().cron())),
                schedule.settings().body().getBytes(StandardCharsets.UTF_8));
    }

    /** Forgets the state of schedules no active version has any more: deleted functions, or fewer schedules. */
    private void forget(Collection<ScheduleState> leftovers, List<ActiveSchedule> active) {
        Map<String, Integer> counts = new HashMap<>();
        active.forEach(schedule -> counts.merge(schedule.function(), 1, Integer::sum));
        Set<String> functions = new TreeSet<>();
        leftovers.forEach(state -> functions.add(state.functionName()));
        for (String function : functions) {
            try {
                states.deleteFrom(function, counts.getOrDefault(function, 0));
            } catch (RuntimeException e) {
                log.warn("Could not forget the schedules of function {}: {}", function, e.toString());
            }
        }
    }

    private static String key(String function, int index) {
        return function + '\n' + index;
    }
}

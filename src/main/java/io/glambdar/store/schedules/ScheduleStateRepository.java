package io.glambdar.store.schedules;

import java.time.Instant;
import java.util.List;

/**
 * The state of the schedules of the functions' active versions (SQLite today, PostgreSQL later): when each fires
 * next, its last firing, and how many it skipped.
 *
 * <p>Firing is a claim: {@link #claimFiring}, {@link #claimSkip} and {@link #passOver} each move a due schedule to
 * its next firing, and succeed only if it is still due at the time the caller saw, for the deployment it saw. Each is
 * one conditional {@code UPDATE … WHERE next_run_at = ?}: of several schedulers (nodes) that saw the same firing due,
 * exactly one wins it, on PostgreSQL as on SQLite, so a firing happens once across a cluster.
 *
 * <p>Every method may be called from any thread and from several processes at once, and returns once its change is
 * committed. Times are kept to the millisecond. Failures of the storage are
 * {@link io.glambdar.store.metadata.MetadataException}s.
 */
public interface ScheduleStateRepository {

    /** Every schedule's state, by function name and index. */
    List<ScheduleState> all();

    /**
     * Starts keeping the state of schedule {@code index} of a function's deployment, first due at {@code nextRunAt}.
     * A row of another deployment (an earlier version, or an earlier life of the name) is replaced, its last firing
     * and skips forgotten; a row of this deployment is left as it is, so a second caller changes nothing.
     *
     * @param nextRunAt null when it never fires
     * @return the state as it is now
     */
    ScheduleState start(String functionName, int index, String deploymentId, Instant nextRunAt);

    /**
     * Forgets the schedules of a function from {@code fromIndex} on: 0 for all of them (the function was deleted),
     * or the new version's count (it has fewer). @return how many
     */
    int deleteFrom(String functionName, int fromIndex);

    /**
     * Claims a due firing to fire it: it becomes the last run, and the schedule is next due at {@code nextRunAt}. Then
     * fire, and {@link #recordInvocation} what was fired.
     *
     * @param due the state as read, due at its {@link ScheduleState#nextRunAt()}
     * @return false when another caller claimed it first, or the schedule was replaced: do not fire
     */
    boolean claimFiring(ScheduleState due, Instant nextRunAt);

    /** Claims a due firing to skip it (its previous run is still queued or running): one more skipped. */
    boolean claimSkip(ScheduleState due, Instant nextRunAt);

    /** Claims a due firing to pass over it without firing or counting it: it was missed while no scheduler ran. */
    boolean passOver(ScheduleState due, Instant nextRunAt);

    /**
     * Records the invocation fired for the firing just claimed, if the schedule was not replaced since.
     *
     * @param fired the state as claimed (the firing's time is its {@link ScheduleState#nextRunAt()})
     */
    void recordInvocation(ScheduleState fired, String invocationId);
}

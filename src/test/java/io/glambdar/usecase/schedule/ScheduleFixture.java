package io.glambdar.usecase.schedule;

import io.glambdar.it.Zips;
import io.glambdar.store.MutableClock;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.SqliteJobRepository;
import io.glambdar.store.schedules.ScheduleState;
import io.glambdar.store.schedules.SqliteScheduleStateRepository;
import io.glambdar.usecase.async.AcceptInvocation;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The store on a temporary folder with the job queue and the schedules' state in its database, a clock the test
 * moves, and a way to deploy functions with schedules.
 */
final class ScheduleFixture implements AutoCloseable {

    final TestStore store;
    final MutableClock clock;
    final SqliteJobRepository jobs;
    final SqliteScheduleStateRepository states;
    final AcceptInvocation accept;

    ScheduleFixture(Path dir, Instant now) {
        store = new TestStore(dir);
        clock = store.clock;
        clock.set(now);
        jobs = store.jobs;
        states = new SqliteScheduleStateRepository(store.database);
        accept = new AcceptInvocation(store.catalog, jobs, () -> { }, clock);
    }

    /** A scheduler's pass as one started now would make it. */
    FireSchedules scheduler() {
        return new FireSchedules(store.catalog, states, jobs, accept, clock);
    }

    ScheduleQueries queries() {
        return new ScheduleQueries(store.catalog, states, jobs, clock);
    }

    /** Deploys a new version of {@code name} whose {@code glambdar.json} has these {@code "schedules"} (JSON). */
    void deploy(String name, String schedulesJson) {
        store.catalog.update(name, store.upload(Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"schedules\": " + schedulesJson + "}"))));
    }

    void at(String instant) {
        clock.set(Instant.parse(instant));
    }

    /** Every job, oldest first. */
    List<Job> jobs() {
        return jobs.list(null, null, 1000).reversed();
    }

    List<ScheduleState> states() {
        return states.all();
    }

    @Override
    public void close() {
        store.close();
    }
}

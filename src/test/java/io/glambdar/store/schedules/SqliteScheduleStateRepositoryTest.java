package io.glambdar.store.schedules;

import io.glambdar.store.Concurrently;
import io.glambdar.store.sqlite.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Schedule state on SQLite: starting and replacing, the three claims and their guards, concurrency, migration. */
class SqliteScheduleStateRepositoryTest {

    private static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final Instant T2 = T0.plusSeconds(120);

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteScheduleStateRepository states;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("glambdar.db"));
        states = new SqliteScheduleStateRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void startInsertsAFreshState() {
        ScheduleState started = states.start("f", 0, "dep-1", T0);

        assertThat(started).isEqualTo(new ScheduleState("f", 0, "dep-1", T0, null, null, 0));
        assertThat(states.all()).containsExactly(started);
    }

    @Test
    void startAgainForTheSameDeploymentChangesNothing() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);
        states.claimFiring(due, T1);
        states.recordInvocation(due, "job-1");

        ScheduleState again = states.start("f", 0, "dep-1", T2);

        assertThat(again).isEqualTo(new ScheduleState("f", 0, "dep-1", T1, T0, "job-1", 0));
        assertThat(states.all()).containsExactly(again);
    }

    @Test
    void startForAnotherDeploymentStartsAfresh() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);
        states.claimSkip(due, T1);

        ScheduleState replaced = states.start("f", 0, "dep-2", T2);

        assertThat(replaced).isEqualTo(new ScheduleState("f", 0, "dep-2", T2, null, null, 0));
        assertThat(states.claimFiring(due(T2), T1)).as("a claim for the old deployment").isFalse();
    }

    @Test
    void claimFiringMovesToTheNextRunOnce() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);

        assertThat(states.claimFiring(due, T1)).isTrue();
        assertThat(states.claimFiring(due, T1)).as("claimed already").isFalse();
        assertThat(states.claimSkip(due, T1)).isFalse();
        assertThat(states.passOver(due, T1)).isFalse();

        assertThat(states.all()).containsExactly(new ScheduleState("f", 0, "dep-1", T1, T0, null, 0));
    }

    @Test
    void claimSkipCountsAndKeepsTheLastRun() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);
        states.claimFiring(due, T1);
        states.recordInvocation(due, "job-1");

        assertThat(states.claimSkip(due(T1), T2)).isTrue();
        assertThat(states.claimSkip(due(T2), null)).isTrue();

        assertThat(states.all()).containsExactly(new ScheduleState("f", 0, "dep-1", null, T0, "job-1", 2));
        assertThat(states.claimSkip(due(null), T2)).as("never due again").isFalse();
    }

    @Test
    void passOverOnlyMovesOn() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);

        assertThat(states.passOver(due, T2)).isTrue();

        assertThat(states.all()).containsExactly(new ScheduleState("f", 0, "dep-1", T2, null, null, 0));
    }

    @Test
    void aClaimNeedsTheTimeSeenAndTheDeployment() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);

        assertThat(states.claimFiring(due(T0.plusMillis(1)), T1)).isFalse();
        assertThat(states.claimFiring(new ScheduleState("f", 0, "dep-0", T0, null, null, 0), T1)).isFalse();
        assertThat(states.claimFiring(new ScheduleState("f", 1, "dep-1", T0, null, null, 0), T1)).isFalse();
        assertThat(states.all()).containsExactly(due);
    }

    @Test
    void recordInvocationOnlyForTheFiringClaimed() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);
        states.claimFiring(due, T1);

        states.recordInvocation(due(T1), "not-this-firing");
        assertThat(states.all().getFirst().lastInvocationId()).isNull();
        states.start("f", 0, "dep-2", T2);
        states.recordInvocation(due, "replaced-since");
        assertThat(states.all().getFirst().lastInvocationId()).isNull();
    }

    @Test
    void deleteFromForgetsTheRestOrAll() {
        states.start("f", 0, "dep-1", T0);
        states.start("f", 1, "dep-1", T0);
        states.start("f", 2, "dep-1", T0);
        states.start("g", 0, "dep-9", T0);

        assertThat(states.deleteFrom("f", 1)).isEqualTo(2);
        assertThat(states.all()).extracting(ScheduleState::functionName, ScheduleState::index)
                .containsExactly(tuple("f", 0), tuple("g", 0));
        assertThat(states.deleteFrom("f", 0)).isEqualTo(1);
        assertThat(states.deleteFrom("f", 0)).isZero();
        assertThat(states.all()).extracting(ScheduleState::functionName).containsExactly("g");
    }

    @Test
    void ofManySchedulersOnTwoConnectionsOneWinsEachFiring() throws Exception {
        // Two connections to one file stand for two nodes, each with four threads trying.
        try (SqliteDatabase other = SqliteDatabase.open(dir.resolve("glambdar.db"))) {
            ScheduleStateRepository[] nodes = {states, new SqliteScheduleStateRepository(other)};
            states.start("f", 0, "dep-1", T0);
            for (int firing = 0; firing < 20; firing++) {
                ScheduleState due = due(T0.plusSeconds(firing));
                Instant next = T0.plusSeconds(firing + 1);
                AtomicInteger won = new AtomicInteger();
                Concurrently.run(8, 1, (thread, call) -> {
                    if (nodes[thread % 2].claimFiring(due, next)) {
                        won.incrementAndGet();
                    }
                });
                assertThat(won).as("firing %d", firing).hasValue(1);
            }
            assertThat(states.all()).containsExactly(
                    new ScheduleState("f", 0, "dep-1", T0.plusSeconds(20), T0.plusSeconds(19), null, 0));
        }
    }

    @Test
    void survivesAReopen() {
        ScheduleState due = states.start("f", 0, "dep-1", T0);
        states.claimFiring(due, T1);
        states.recordInvocation(due, "job-1");
        db.close();

        open();

        assertThat(states.all()).containsExactly(new ScheduleState("f", 0, "dep-1", T1, T0, "job-1", 0));
    }

    /**
     * A file at schema 3 is what this code writes less {@code schedule_state} and what later migrations add:
     * migration 3 → 4 only adds it.
     */
    @Test
    void aSchemaThreeDatabaseIsMigrated() throws Exception {
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("glambdar.db"));
             Statement st = c.createStatement()) {
            st.execute("DROP TABLE schedule_state");
            st.execute("DROP TABLE invocation_logs"); // added by migration 4 -> 5
            st.execute("PRAGMA user_version = 3");
        }

        open();

        assertThat(states.all()).isEmpty();
        assertThat(states.start("f", 0, "dep-1", T0)).isEqualTo(due(T0));
    }

    /** Schedule 0 of f's deployment dep-1, never fired, due at {@code at}. */
    private static ScheduleState due(Instant at) {
        return new ScheduleState("f", 0, "dep-1", at, null, null, 0);
    }
}

package io.glambdar.store.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.glambdar.store.Concurrently;
import io.glambdar.store.sqlite.SchemaOne;
import io.glambdar.store.sqlite.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteFunctionRepositoryTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path dir;

    private Path dbFile;
    private SqliteFunctionRepository db;

    @BeforeEach
    void openDatabase() {
        dbFile = dir.resolve("state").resolve("metadata.db");  // parent does not exist yet
        db = SqliteFunctionRepository.open(dbFile);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    private static FunctionRecord fresh(String name, String functionId) {
        return FunctionRecord.newlyDeployed(name, functionId, T0);
    }

    /** Version {@code n} of {@code name}, deployed {@code n} seconds after T0 into the folder {@code deploymentId}. */
    private static VersionRecord version(String name, int n, String deploymentId) {
        return new VersionRecord(name, n, deploymentId, T0.plusSeconds(n), SHA, "", 1234, 3, "{\"timeoutMs\":30000}");
    }

    /** A new function, its version 1 in the folder {@code "v1-" + functionId}. */
    private void insert(String name, String functionId) {
        db.insert(fresh(name, functionId), version(name, 1, "v1-" + functionId));
    }

    private static StatsDelta delta(String name, String functionId, long invocations, long errors, Instant last,
                                    String status, Long durationMs) {
        return new StatsDelta(name, functionId, invocations, errors, last, status, durationMs);
    }

    private FunctionRecord get(String name) {
        return db.find(name).orElseThrow();
    }

    private List<Integer> versionNumbers(String name) {
        return db.findVersions(name).stream().map(VersionRecord::version).toList();
    }

    // ---------------------------------------------------------------- functions

    @Test
    void insertThenFindReturnsEveryField() {
        FunctionRecord full = new FunctionRecord("hello", "fn-1", T0, 1, T0.plusSeconds(5), 7, 2, "timeout",
                30_000L);
        VersionRecord first = new VersionRecord("hello", 1, "dep-1", T0, SHA, "pkg", 98_765_432_100L, 42,
                "{\"memoryMb\":256}");
        db.insert(full, first);

        assertThat(db.find("hello")).contains(full);
        FunctionRecord read = get("hello");
        assertThat(read.functionId()).isEqualTo("fn-1");
        assertThat(read.activeVersion()).isEqualTo(1);
        assertThat(read.createdAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        assertThat(read.lastInvokedAt()).isEqualTo(Instant.parse("2025-03-01T10:00:05.123Z"));
        assertThat(read.invokeCount()).isEqualTo(7);
        assertThat(read.errorCount()).isEqualTo(2);
        assertThat(read.lastStatus()).isEqualTo("timeout");
        assertThat(read.lastDurationMs()).isEqualTo(30_000L);
        assertThat(db.findVersions("hello")).containsExactly(first);
        VersionRecord v1 = db.findVersions("hello").getFirst();
        assertThat(v1.deploymentId()).isEqualTo("dep-1");
        assertThat(v1.sha256()).isEqualTo(SHA);
        assertThat(v1.codeRoot()).isEqualTo("pkg");
        assertThat(v1.codeSizeBytes()).isEqualTo(98_765_432_100L);
        assertThat(v1.fileCount()).isEqualTo(42);
        assertThat(v1.settingsJson()).isEqualTo("{\"memoryMb\":256}");
        assertThat(db.find("nope")).isEmpty();
        assertThat(db.findVersions("nope")).isEmpty();
    }

    @Test
    void aNewFunctionHasVersionOneActive() {
        insert("f", "fn");

        assertThat(get("f").activeVersion()).isEqualTo(1);
        assertThat(versionNumbers("f")).containsExactly(1);
    }

    @Test
    void insertRefusesAFirstVersionOfAnotherFunction() {
        assertThatThrownBy(() -> db.insert(fresh("f", "fn"), version("g", 1, "d")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(db.findAll()).isEmpty();
        assertThat(db.findVersions("g")).isEmpty();
    }

    @Test
    void nullableFieldsRoundTripAsNull() {
        db.insert(fresh("fresh", "d1"), new VersionRecord("fresh", 1, "v1", T0, null, "", 0, 0, "{}"));

        FunctionRecord read = get("fresh");
        assertThat(read.lastInvokedAt()).isNull();
        assertThat(read.lastStatus()).isNull();
        assertThat(read.lastDurationMs()).isNull();
        assertThat(read.invokeCount()).isZero();
        assertThat(read.errorCount()).isZero();
        assertThat(read).isEqualTo(fresh("fresh", "d1"));
        assertThat(db.findVersions("fresh")).singleElement()
                .satisfies(v -> assertThat(v.sha256()).isNull());
    }

    @Test
    void timesAreKeptToTheMillisecond() {
        Instant withNanos = Instant.parse("2025-03-01T10:00:00.123456789Z");
        FunctionRecord r = new FunctionRecord("t", "d", withNanos, 1, withNanos, 0, 0, null, null);
        VersionRecord v = new VersionRecord("t", 1, "v", withNanos, null, "", 0, 0, "{}");

        assertThat(r.createdAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        assertThat(v.deployedAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        db.insert(r, v);
        assertThat(get("t")).isEqualTo(r);
        assertThat(get("t").lastInvokedAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        assertThat(db.findVersions("t")).containsExactly(v);
    }

    @Test
    void findAllIsOrderedByName() {
        for (String name : List.of("zeta", "alpha", "Beta", "m-1", "m_0", "0first")) {
            insert(name, "d-" + name);
        }

        assertThat(db.findAll()).extracting(FunctionRecord::name)
                .containsExactly("0first", "Beta", "alpha", "m-1", "m_0", "zeta");
        assertThat(db.findAll()).extracting(FunctionRecord::functionId)
                .containsExactly("d-0first", "d-Beta", "d-alpha", "d-m-1", "d-m_0", "d-zeta");
    }

    @Test
    void findAllOnEmptyDatabaseIsEmptyList() {
        assertThat(db.findAll()).isNotNull().isEmpty();
    }

    @Test
    void deleteReturnsTrueThenFalse() {
        insert("gone", "d1");
        insert("kept", "d2");

        assertThat(db.delete("gone", "d1")).isTrue();
        assertThat(db.delete("gone", "d1")).isFalse();
        assertThat(db.find("gone")).isEmpty();
        assertThat(db.findVersions("gone")).isEmpty();
        assertThat(db.findAll()).extracting(FunctionRecord::name).containsExactly("kept");
        assertThat(versionNumbers("kept")).containsExactly(1);
        assertThat(db.delete("never-existed", "d1")).isFalse();
    }

    @Test
    void deleteLeavesALaterDeployOfTheNameAlone() {
        insert("f", "second");
        db.addVersion("f", "second", number -> version("f", number, "v2"));

        assertThat(db.delete("f", "first")).isFalse();

        assertThat(get("f")).isEqualTo(fresh("f", "second").withActiveVersion(2));
        assertThat(versionNumbers("f")).containsExactly(2, 1);
    }

    @Test
    void deleteRemovesEveryVersionAndTheInvokeKeysOfTheName() throws Exception {
        insert("f", "fn");
        db.addVersion("f", "fn", number -> version("f", number, "v2"));
        db.addVersion("f", "fn", number -> version("f", number, "v3"));
        insert("other", "fo");
        insertInvokeKey("k1", "f", "fn");
        insertInvokeKey("k2", "f", "fn");
        insertInvokeKey("k3", "other", "fo");

        assertThat(db.delete("f", "fn")).isTrue();

        assertThat(db.findVersions("f")).isEmpty();
        assertThat(invokeKeys()).containsExactly("k3");
        assertThat(versionNumbers("other")).containsExactly(1);
        // A later deploy of the name starts again at version 1, with nothing of the old one.
        insert("f", "fn2");
        assertThat(versionNumbers("f")).containsExactly(1);
        assertThat(db.findVersions("f").getFirst().deploymentId()).isEqualTo("v1-fn2");
    }

    @Test
    void duplicateInsertThrowsAndLeavesOriginalUnchanged() {
        FunctionRecord original = new FunctionRecord("dup", "first", T0, 1, T0.plusSeconds(1), 3, 1, "ok", 12L);
        VersionRecord originalVersion = version("dup", 1, "a");
        db.insert(original, originalVersion);
        FunctionRecord second = new FunctionRecord("dup", "second", T0.plusSeconds(60), 1, null, 0, 0, null, null);

        assertThatThrownBy(() -> db.insert(second, new VersionRecord("dup", 1, "b", T0, null, "", 20, 2,
                "{\"x\":1}")))
                .isInstanceOf(DuplicateFunctionException.class)
                .hasMessageContaining("'dup'")
                .satisfies(e -> assertThat(((DuplicateFunctionException) e).functionName()).isEqualTo("dup"));
        assertThat(get("dup")).isEqualTo(original);
        assertThat(db.findVersions("dup")).containsExactly(originalVersion);
        assertThat(db.findAll()).hasSize(1);
    }

    @Test
    void redeployAfterDeleteGetsAFreshRow() {
        insert("f", "d1");
        db.applyStats(List.of(delta("f", "d1", 5, 1, T0.plusSeconds(1), "error", 8L)));
        assertThat(db.delete("f", "d1")).isTrue();

        insert("f", "d2");

        assertThat(get("f")).isEqualTo(fresh("f", "d2"));
    }

    // ---------------------------------------------------------------- versions

    @Test
    void addVersionMakesTheNewVersionActive() {
        insert("f", "fn");

        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v2"))).isPresent();

        assertThat(get("f").activeVersion()).isEqualTo(2);
        assertThat(db.findVersions("f")).containsExactly(version("f", 2, "v2"), version("f", 1, "v1-fn"));
        // the function's own columns are untouched
        assertThat(get("f")).isEqualTo(fresh("f", "fn").withActiveVersion(2));
    }

    @Test
    void versionNumbersComeFromTheRepositoryAndAreNeverGivenTwice() {
        insert("f", "fn");
        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v2"))).contains(version("f", 2, "v2"));
        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v3"))).contains(version("f", 3, "v3"));
        db.activate("f", "fn", 2);
        db.deleteVersions("f", List.of(3)); // pruned, or lost at a start-up

        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v4")).orElseThrow().version())
                .as("3 is gone, but was given once").isEqualTo(4);
        assertThat(get("f").activeVersion()).isEqualTo(4);
        assertThat(versionNumbers("f")).containsExactly(4, 2, 1);
    }

    @Test
    void aRecordForAnotherNumberIsRefusedAndChangesNothing() {
        insert("f", "fn");
        assertThatThrownBy(() -> db.addVersion("f", "fn", number -> version("f", number + 1, "wrong")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(get("f").activeVersion()).isEqualTo(1);
        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v2")).orElseThrow().version())
                .isEqualTo(2);
    }

    @Test
    void addVersionForAGoneFunctionWritesNothing() {
        insert("f", "fn");
        db.delete("f", "fn");
        insert("f", "fn-again");

        assertThat(db.addVersion("f", "fn", number -> version("f", number, "v2"))).isEmpty(); // the old life is gone
        assertThat(db.addVersion("ghost", "never", number -> version("ghost", number, "g"))).isEmpty();

        assertThat(get("f")).isEqualTo(fresh("f", "fn-again"));
        assertThat(versionNumbers("f")).containsExactly(1);
        assertThat(db.findVersions("ghost")).isEmpty();
    }

    @Test
    void findVersionsIsNewestFirst() {
        insert("f", "fn");
        for (int n = 2; n <= 5; n++) {
            String label = "v" + n;
            assertThat(db.addVersion("f", "fn", number -> version("f", number, label)).orElseThrow().version())
                    .isEqualTo(n);
        }
        db.activate("f", "fn", 3);

        assertThat(versionNumbers("f")).containsExactly(5, 4, 3, 2, 1);
        assertThat(db.findVersions("f")).extracting(VersionRecord::deploymentId)
                .containsExactly("v5", "v4", "v3", "v2", "v1-fn");
    }

    @Test
    void findAllVersionsIsByNameThenNewestFirst() {
        insert("g", "gn");
        insert("f", "fn");
        db.addVersion("f", "fn", number -> version("f", number, "v2"));
        db.addVersion("g", "gn", number -> version("g", number, "g2"));

        assertThat(db.findAllVersions()).extracting(VersionRecord::functionName, VersionRecord::version)
                .containsExactly(tuple("f", 2), tuple("f", 1), tuple("g", 2), tuple("g", 1));
    }

    @Test
    void activateOnlyToAKeptVersionOfTheRightLife() {
        insert("f", "fn");
        db.addVersion("f", "fn", number -> version("f", number, "v2"));
        db.addVersion("f", "fn", number -> version("f", number, "v3"));
        db.deleteVersions("f", List.of(2));

        assertThat(db.activate("f", "fn", 1)).isTrue();
        assertThat(get("f").activeVersion()).isEqualTo(1);

        assertThat(db.activate("f", "fn", 2)).isFalse(); // pruned
        assertThat(db.activate("f", "fn", 9)).isFalse(); // never deployed
        assertThat(db.activate("f", "other-life", 3)).isFalse();
        assertThat(db.activate("ghost", "fn", 1)).isFalse();
        assertThat(get("f").activeVersion()).isEqualTo(1);

        assertThat(db.activate("f", "fn", 3)).isTrue();
        assertThat(get("f").activeVersion()).isEqualTo(3);
    }

    @Test
    void activateDoesNotReachAVersionOfAnotherFunction() {
        insert("f", "fn");
        insert("g", "gn");
        db.addVersion("g", "gn", number -> version("g", number, "g2"));

        assertThat(db.activate("f", "fn", 2)).isFalse();

        assertThat(get("f").activeVersion()).isEqualTo(1);
    }

    @Test
    void deleteVersionsNeverDeletesTheActiveOne() {
        insert("f", "fn");
        for (int n = 2; n <= 4; n++) {
            String label = "v" + n;
            assertThat(db.addVersion("f", "fn", number -> version("f", number, label)).orElseThrow().version())
                    .isEqualTo(n);
        }
        db.activate("f", "fn", 2);

        db.deleteVersions("f", List.of(1, 2, 3));

        assertThat(versionNumbers("f")).containsExactly(4, 2);
        assertThat(get("f").activeVersion()).isEqualTo(2);
        db.deleteVersions("f", List.of()); // nothing to do
        db.deleteVersions("f", List.of(99)); // not there: nothing to do
        assertThat(versionNumbers("f")).containsExactly(4, 2);
    }

    @Test
    void deleteVersionsTouchesOnlyTheNamedFunction() {
        insert("f", "fn");
        db.addVersion("f", "fn", number -> version("f", number, "f2"));
        insert("g", "gn");
        db.addVersion("g", "gn", number -> version("g", number, "g2"));

        db.deleteVersions("f", List.of(1));

        assertThat(versionNumbers("f")).containsExactly(2);
        assertThat(versionNumbers("g")).containsExactly(2, 1);
    }

    // ---------------------------------------------------------------- statistics

    @Test
    void applyStatsAddsCountsExactly() {
        insert("f", "d1");

        db.applyStats(List.of(delta("f", "d1", 10, 2, T0.plusSeconds(10), "ok", 15L)));
        db.applyStats(List.of(
                delta("f", "d1", 5, 0, T0.plusSeconds(20), "error", 30L),
                delta("f", "d1", 1, 1, T0.plusSeconds(30), "timeout", 1000L)));

        FunctionRecord r = get("f");
        assertThat(r.invokeCount()).isEqualTo(16);
        assertThat(r.errorCount()).isEqualTo(3);
        assertThat(r.lastInvokedAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(r.lastStatus()).isEqualTo("timeout");
        assertThat(r.lastDurationMs()).isEqualTo(1000L);
        // untouched columns stay as inserted
        assertThat(r.createdAt()).isEqualTo(T0);
        assertThat(r.activeVersion()).isEqualTo(1);
        assertThat(db.findVersions("f")).containsExactly(version("f", 1, "v1-d1"));
    }

    @Test
    void applyStatsCountsAcrossVersionsOfTheSameLife() {
        insert("f", "fn");
        db.applyStats(List.of(delta("f", "fn", 2, 0, T0.plusSeconds(1), "ok", 1L)));
        db.addVersion("f", "fn", number -> version("f", number, "v2"));

        db.applyStats(List.of(delta("f", "fn", 3, 1, T0.plusSeconds(2), "error", 2L)));

        assertThat(get("f").invokeCount()).isEqualTo(5);
        assertThat(get("f").errorCount()).isEqualTo(1);
    }

    @Test
    void applyStatsKeepsTheLatestLastInvokedAtAndItsStatus() {
        insert("f", "d1");
        Instant late = T0.plusSeconds(100);
        db.applyStats(List.of(delta("f", "d1", 1, 0, late, "ok", 5L)));

        // an older delta still adds its counts, but does not move the "last" columns backwards
        db.applyStats(List.of(delta("f", "d1", 2, 2, T0.plusSeconds(50), "error", 99L)));

        FunctionRecord r = get("f");
        assertThat(r.invokeCount()).isEqualTo(3);
        assertThat(r.errorCount()).isEqualTo(2);
        assertThat(r.lastInvokedAt()).isEqualTo(late);
        assertThat(r.lastStatus()).isEqualTo("ok");
        assertThat(r.lastDurationMs()).isEqualTo(5L);

        // a newer one does
        db.applyStats(List.of(delta("f", "d1", 1, 1, late.plusMillis(1), "error", null)));
        r = get("f");
        assertThat(r.invokeCount()).isEqualTo(4);
        assertThat(r.lastInvokedAt()).isEqualTo(late.plusMillis(1));
        assertThat(r.lastStatus()).isEqualTo("error");
        assertThat(r.lastDurationMs()).isNull();
    }

    @Test
    void deltaWithoutLastInvokedAtOnlyAddsCounts() {
        insert("f", "d1");

        db.applyStats(List.of(delta("f", "d1", 4, 1, null, null, null)));

        FunctionRecord r = get("f");
        assertThat(r.invokeCount()).isEqualTo(4);
        assertThat(r.errorCount()).isEqualTo(1);
        assertThat(r.lastInvokedAt()).isNull();
        assertThat(r.lastStatus()).isNull();
        assertThat(r.lastDurationMs()).isNull();
    }

    @Test
    void deltasForOtherLivesOrDeletedFunctionsAreDroppedWithoutFailingTheBatch() {
        insert("redeployed", "new-life");
        insert("live", "d1");
        insert("deleted", "d9");
        assertThat(db.delete("deleted", "d9")).isTrue();

        db.applyStats(List.of(
                delta("redeployed", "old-life", 100, 50, T0.plusSeconds(9), "error", 1L),
                delta("deleted", "d9", 7, 7, T0.plusSeconds(9), "error", 1L),
                delta("live", "d1", 3, 1, T0.plusSeconds(5), "ok", 20L),
                delta("never-existed", "x", 1, 0, T0, "ok", 1L)));

        assertThat(get("redeployed")).isEqualTo(fresh("redeployed", "new-life"));
        assertThat(db.find("deleted")).isEmpty();
        FunctionRecord live = get("live");
        assertThat(live.invokeCount()).isEqualTo(3);
        assertThat(live.errorCount()).isEqualTo(1);
        assertThat(live.lastInvokedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(live.lastStatus()).isEqualTo("ok");
        assertThat(live.lastDurationMs()).isEqualTo(20L);
        assertThat(db.findAll()).extracting(FunctionRecord::name).containsExactly("live", "redeployed");
    }

    @Test
    void emptyBatchIsANoOp() {
        insert("f", "d1");
        db.applyStats(List.of());
        assertThat(get("f")).isEqualTo(fresh("f", "d1"));
    }

    @Test
    void concurrentApplyStatsNeverLosesACount() throws Exception {
        insert("hot", "d1");
        Concurrently.run(8, 500, (thread, i) -> {
            Instant at = T0.plusMillis(thread * 10_000L + i);
            db.applyStats(List.of(delta("hot", "d1", 1, i % 5 == 0 ? 1 : 0, at, "ok", (long) i)));
        });

        FunctionRecord r = get("hot");
        assertThat(r.invokeCount()).isEqualTo(4000);
        assertThat(r.errorCount()).isEqualTo(8 * 100);
        assertThat(r.lastInvokedAt()).isEqualTo(T0.plusMillis(7 * 10_000L + 499));
        assertThat(r.lastDurationMs()).isEqualTo(499L);
    }

    // ---------------------------------------------------------------- the file

    @Test
    void closeAndReopenKeepsEverything() {
        FunctionRecord a = fresh("a", "da");
        FunctionRecord b = new FunctionRecord("b", "db", T0.plusMillis(1), 1, null, 0, 0, null, null);
        db.insert(a, new VersionRecord("a", 1, "a1", T0, null, "", 1, 1, "{}"));
        db.insert(b, new VersionRecord("b", 1, "b1", T0, SHA, "pkg", 2, 2, "{\"k\":2}"));
        db.addVersion("b", "db", number ->
                new VersionRecord("b", number, "b2", T0.plusSeconds(2), SHA, "", 3, 3, "{\"k\":3}"));
        db.addVersion("b", "db", number ->
                new VersionRecord("b", number, "b3", T0.plusSeconds(3), SHA, "", 4, 4, "{\"k\":4}"));
        db.activate("b", "db", 2);
        db.applyStats(List.of(delta("b", "db", 9, 4, T0.plusSeconds(3), "error", 77L)));
        List<VersionRecord> versionsOfB = db.findVersions("b");
        db.close();

        db = SqliteFunctionRepository.open(dbFile);

        assertThat(db.findAll()).containsExactly(
                a,
                new FunctionRecord("b", "db", T0.plusMillis(1), 2, T0.plusSeconds(3), 9, 4, "error", 77L));
        assertThat(db.findVersions("b")).isEqualTo(versionsOfB).extracting(VersionRecord::version)
                .containsExactly(3, 2, 1);
        assertThat(db.findVersions("a")).extracting(VersionRecord::deploymentId).containsExactly("a1");
        // and it is still writable
        db.applyStats(List.of(delta("b", "db", 1, 0, T0.plusSeconds(4), "ok", 1L)));
        assertThat(get("b").invokeCount()).isEqualTo(10);
        assertThat(db.addVersion("b", "db", number -> version("b", number, "b4"))).isPresent();
    }

    @Test
    void usingAClosedRepositoryFailsClearly() {
        db.close();
        db.close();  // idempotent

        assertThatThrownBy(() -> db.find("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining(dbFile.getFileName().toString());
    }

    @Test
    void aRepositoryOnASharedDatabaseLeavesItOpen() {
        try (SqliteDatabase shared = SqliteDatabase.open(dir.resolve("shared.db"))) {
            SqliteFunctionRepository one = new SqliteFunctionRepository(shared);
            one.insert(fresh("f", "fn"), version("f", 1, "v1"));

            one.close();

            assertThat(new SqliteFunctionRepository(shared).find("f")).isPresent();
        }
    }

    @Test
    void aSchemaOneDatabaseIsMigratedWithEveryFunctionAsItsVersionOne() throws Exception {
        Path old = dir.resolve("old").resolve("glambdar.db");
        java.nio.file.Files.createDirectories(old.getParent());
        try (SchemaOne schemaOne = SchemaOne.create(old)) {
            schemaOne.insert(new SchemaOne.Row("plain", "0123456789abcdef", T0, T0.plusSeconds(60), 7, 2, "",
                    4321, 5, "{\"timeout\":7.0,\"memory\":256}", "error", 12L));
            schemaOne.insert(SchemaOne.Row.fresh("wrapped", "fedcba9876543210", T0.plusSeconds(1), "pkg", 10, 1,
                    "{}"));
        }

        try (SqliteFunctionRepository migrated = SqliteFunctionRepository.open(old)) {
            assertThat(migrated.findAll()).containsExactly(
                    new FunctionRecord("plain", "0123456789abcdef", T0, 1, T0.plusSeconds(60), 7, 2, "error", 12L),
                    new FunctionRecord("wrapped", "fedcba9876543210", T0.plusSeconds(1), 1, null, 0, 0, null, null));
            // The old deployment id names the version's folder, as it named the function's before.
            assertThat(migrated.findVersions("plain")).containsExactly(new VersionRecord("plain", 1,
                    "0123456789abcdef", T0, null, "", 4321, 5, "{\"timeout\":7.0,\"memory\":256}"));
            assertThat(migrated.findVersions("wrapped")).containsExactly(new VersionRecord("wrapped", 1,
                    "fedcba9876543210", T0.plusSeconds(1), null, "pkg", 10, 1, "{}"));

            // It works as any schema-2 database: statistics by function id, new versions, deletes.
            migrated.applyStats(List.of(delta("plain", "0123456789abcdef", 1, 0, T0.plusSeconds(61), "ok", 3L)));
            assertThat(migrated.find("plain").orElseThrow().invokeCount()).isEqualTo(8);
            assertThat(migrated.addVersion("plain", "0123456789abcdef", number -> version("plain", number, "v2")))
                    .isPresent();
            assertThat(migrated.find("plain").orElseThrow().activeVersion()).isEqualTo(2);
            assertThat(migrated.delete("wrapped", "fedcba9876543210")).isTrue();
            assertThat(migrated.findVersions("wrapped")).isEmpty();
        }
        // Migrated once: opening it again finds it up to date, with everything kept.
        try (SqliteFunctionRepository again = SqliteFunctionRepository.open(old)) {
            assertThat(again.findAll()).extracting(FunctionRecord::name).containsExactly("plain");
            assertThat(again.findVersions("plain")).extracting(VersionRecord::version).containsExactly(2, 1);
        }
    }

    @Test
    void invalidRecordsAreRejectedBeforeTouchingTheDatabase() {
        assertThatThrownBy(() -> new FunctionRecord("f", "d", T0, 1, null, -1, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invokeCount");
        assertThatThrownBy(() -> new FunctionRecord("f", "d", T0, 0, null, 0, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("activeVersion");
        assertThatThrownBy(() -> new VersionRecord("f", 0, "d", T0, null, "", 0, 0, "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> new VersionRecord("f", 1, "d", T0, null, "", -1, 0, "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("codeSizeBytes");
        assertThatThrownBy(() -> new StatsDelta("f", null, 1, 0, T0, "ok", 1L))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("functionId");
        List<StatsDelta> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> db.applyStats(withNull)).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- invoke keys (the table only)

    private void insertInvokeKey(String keyId, String function, String functionId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             PreparedStatement ps = c.prepareStatement("INSERT INTO invoke_keys (key_id, function_name,"
                     + " function_id, key_hash, created_at) VALUES (?, ?, ?, 'hash', 0)")) {
            ps.setString(1, keyId);
            ps.setString(2, function);
            ps.setString(3, functionId);
            ps.executeUpdate();
        }
    }

    private List<String> invokeKeys() throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             ResultSet rs = c.createStatement().executeQuery("SELECT key_id FROM invoke_keys ORDER BY key_id")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}

package io.glambdar.store.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.glambdar.store.Concurrently;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteFunctionRepositoryTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");

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

    private static FunctionRecord fresh(String name, String deploymentId) {
        return FunctionRecord.newlyDeployed(name, deploymentId, T0, "/srv/glambdar/functions/" + name, 1234, 3,
                "{\"timeoutMs\":30000}");
    }

    private static StatsDelta delta(String name, String deploymentId, long invocations, long errors, Instant last,
                                    String status, Long durationMs) {
        return new StatsDelta(name, deploymentId, invocations, errors, last, status, durationMs);
    }

    private FunctionRecord get(String name) {
        return db.find(name).orElseThrow();
    }

    @Test
    void createsParentDirectoryAndSetsPragmas() throws Exception {
        assertThat(dbFile).isRegularFile();
        assertThat(db.file()).isEqualTo(dbFile.toAbsolutePath());
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement st = c.createStatement()) {
            assertThat(pragma(st, "user_version")).isEqualTo("1");
            assertThat(pragma(st, "journal_mode")).isEqualTo("wal");
        }
    }

    @Test
    void insertThenFindReturnsEveryField() {
        FunctionRecord full = new FunctionRecord("hello", "dep-1", T0, T0.plusSeconds(5), 7, 2, "/code/hello",
                98_765_432_100L, 42, "{\"memoryMb\":256}", "timeout", 30_000L);
        db.insert(full);

        assertThat(db.find("hello")).contains(full);
        FunctionRecord read = get("hello");
        assertThat(read.createdAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        assertThat(read.lastInvokedAt()).isEqualTo(Instant.parse("2025-03-01T10:00:05.123Z"));
        assertThat(read.invokeCount()).isEqualTo(7);
        assertThat(read.errorCount()).isEqualTo(2);
        assertThat(read.codeSizeBytes()).isEqualTo(98_765_432_100L);
        assertThat(read.fileCount()).isEqualTo(42);
        assertThat(read.settingsJson()).isEqualTo("{\"memoryMb\":256}");
        assertThat(read.lastStatus()).isEqualTo("timeout");
        assertThat(read.lastDurationMs()).isEqualTo(30_000L);
        assertThat(db.find("nope")).isEmpty();
    }

    @Test
    void nullableFieldsRoundTripAsNull() {
        db.insert(fresh("fresh", "d1"));

        FunctionRecord read = get("fresh");
        assertThat(read.lastInvokedAt()).isNull();
        assertThat(read.lastStatus()).isNull();
        assertThat(read.lastDurationMs()).isNull();
        assertThat(read.invokeCount()).isZero();
        assertThat(read.errorCount()).isZero();
        assertThat(read).isEqualTo(fresh("fresh", "d1"));
    }

    @Test
    void timesAreKeptToTheMillisecond() {
        Instant withNanos = Instant.parse("2025-03-01T10:00:00.123456789Z");
        FunctionRecord r = new FunctionRecord("t", "d", withNanos, withNanos, 0, 0, "/c", 0, 0, "{}", null, null);

        assertThat(r.createdAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
        db.insert(r);
        assertThat(get("t")).isEqualTo(r);
        assertThat(get("t").lastInvokedAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.123Z"));
    }

    @Test
    void findAllIsOrderedByName() {
        for (String name : List.of("zeta", "alpha", "Beta", "m-1", "m_0", "0first")) {
            db.insert(fresh(name, "d-" + name));
        }

        assertThat(db.findAll()).extracting(FunctionRecord::name)
                .containsExactly("0first", "Beta", "alpha", "m-1", "m_0", "zeta");
        assertThat(db.findAll()).extracting(FunctionRecord::deploymentId)
                .containsExactly("d-0first", "d-Beta", "d-alpha", "d-m-1", "d-m_0", "d-zeta");
    }

    @Test
    void findAllOnEmptyDatabaseIsEmptyList() {
        assertThat(db.findAll()).isNotNull().isEmpty();
    }

    @Test
    void deleteReturnsTrueThenFalse() {
        db.insert(fresh("gone", "d1"));
        db.insert(fresh("kept", "d2"));

        assertThat(db.delete("gone", "d1")).isTrue();
        assertThat(db.delete("gone", "d1")).isFalse();
        assertThat(db.find("gone")).isEmpty();
        assertThat(db.findAll()).extracting(FunctionRecord::name).containsExactly("kept");
        assertThat(db.delete("never-existed", "d1")).isFalse();
    }

    @Test
    void deleteLeavesALaterDeployOfTheNameAlone() {
        db.insert(fresh("f", "second"));

        assertThat(db.delete("f", "first")).isFalse();

        assertThat(get("f")).isEqualTo(fresh("f", "second"));
    }

    @Test
    void duplicateInsertThrowsAndLeavesOriginalUnchanged() {
        FunctionRecord original = new FunctionRecord("dup", "first", T0, T0.plusSeconds(1), 3, 1, "/a", 10, 1, "{}",
                "ok", 12L);
        db.insert(original);
        FunctionRecord second = new FunctionRecord("dup", "second", T0.plusSeconds(60), null, 0, 0, "/b", 20, 2,
                "{\"x\":1}", null, null);

        assertThatThrownBy(() -> db.insert(second))
                .isInstanceOf(DuplicateFunctionException.class)
                .hasMessageContaining("'dup'")
                .satisfies(e -> assertThat(((DuplicateFunctionException) e).functionName()).isEqualTo("dup"));
        assertThat(get("dup")).isEqualTo(original);
        assertThat(db.findAll()).hasSize(1);
    }

    @Test
    void redeployAfterDeleteGetsAFreshRow() {
        db.insert(fresh("f", "d1"));
        db.applyStats(List.of(delta("f", "d1", 5, 1, T0.plusSeconds(1), "error", 8L)));
        assertThat(db.delete("f", "d1")).isTrue();

        db.insert(fresh("f", "d2"));

        assertThat(get("f")).isEqualTo(fresh("f", "d2"));
    }

    @Test
    void applyStatsAddsCountsExactly() {
        db.insert(fresh("f", "d1"));

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
        assertThat(r.codeRoot()).isEqualTo("/srv/glambdar/functions/f");
        assertThat(r.codeSizeBytes()).isEqualTo(1234);
        assertThat(r.fileCount()).isEqualTo(3);
        assertThat(r.settingsJson()).isEqualTo("{\"timeoutMs\":30000}");
    }

    @Test
    void applyStatsKeepsTheLatestLastInvokedAtAndItsStatus() {
        db.insert(fresh("f", "d1"));
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
        db.insert(fresh("f", "d1"));

        db.applyStats(List.of(delta("f", "d1", 4, 1, null, null, null)));

        FunctionRecord r = get("f");
        assertThat(r.invokeCount()).isEqualTo(4);
        assertThat(r.errorCount()).isEqualTo(1);
        assertThat(r.lastInvokedAt()).isNull();
        assertThat(r.lastStatus()).isNull();
        assertThat(r.lastDurationMs()).isNull();
    }

    @Test
    void deltasForOtherDeploymentsOrDeletedFunctionsAreDroppedWithoutFailingTheBatch() {
        db.insert(fresh("redeployed", "new-deploy"));
        db.insert(fresh("live", "d1"));
        db.insert(fresh("deleted", "d9"));
        assertThat(db.delete("deleted", "d9")).isTrue();

        db.applyStats(List.of(
                delta("redeployed", "old-deploy", 100, 50, T0.plusSeconds(9), "error", 1L),
                delta("deleted", "d9", 7, 7, T0.plusSeconds(9), "error", 1L),
                delta("live", "d1", 3, 1, T0.plusSeconds(5), "ok", 20L),
                delta("never-existed", "x", 1, 0, T0, "ok", 1L)));

        assertThat(get("redeployed")).isEqualTo(fresh("redeployed", "new-deploy"));
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
        db.insert(fresh("f", "d1"));
        db.applyStats(List.of());
        assertThat(get("f")).isEqualTo(fresh("f", "d1"));
    }

    @Test
    void closeAndReopenKeepsEverything() {
        FunctionRecord a = new FunctionRecord("a", "da", T0, null, 0, 0, "/a", 1, 1, "{}", null, null);
        FunctionRecord b = new FunctionRecord("b", "db", T0.plusMillis(1), null, 0, 0, "/b", 2, 2, "{\"k\":2}", null,
                null);
        db.insert(a);
        db.insert(b);
        db.applyStats(List.of(delta("b", "db", 9, 4, T0.plusSeconds(3), "error", 77L)));
        db.close();

        db = SqliteFunctionRepository.open(dbFile);

        assertThat(db.findAll()).containsExactly(
                a,
                new FunctionRecord("b", "db", T0.plusMillis(1), T0.plusSeconds(3), 9, 4, "/b", 2, 2, "{\"k\":2}",
                        "error", 77L));
        // and it is still writable
        db.applyStats(List.of(delta("b", "db", 1, 0, T0.plusSeconds(4), "ok", 1L)));
        assertThat(get("b").invokeCount()).isEqualTo(10);
    }

    @Test
    void usingAClosedDatabaseFailsClearly() {
        db.close();
        db.close();  // idempotent

        assertThatThrownBy(() -> db.find("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining(dbFile.getFileName().toString());
    }

    @Test
    void concurrentApplyStatsNeverLosesACount() throws Exception {
        db.insert(fresh("hot", "d1"));
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

    @Test
    void garbageFileGivesAClearException() throws Exception {
        db.close();
        byte[] garbage = new byte[8192];
        new Random(42).nextBytes(garbage);
        Files.write(dbFile, garbage);

        assertThatThrownBy(() -> SqliteFunctionRepository.open(dbFile))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(dbFile.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database")
                .hasMessageContaining("move it");
        assertThat(Files.readAllBytes(dbFile)).isEqualTo(garbage);
    }

    @Test
    void damagedPagesGiveAClearException() throws Exception {
        for (int i = 0; i < 300; i++) {
            db.insert(fresh("f" + i, "d".repeat(200)));
        }
        db.close();
        assertThat(Files.size(dbFile)).isGreaterThan(4 * 4096);
        byte[] garbage = new byte[3000];
        new Random(1).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(dbFile.toFile(), "rw")) {
            raf.seek(2 * 4096 + 8);  // inside page 3: the header (page 1) is intact
            raf.write(garbage);
        }

        assertThatThrownBy(() -> SqliteFunctionRepository.open(dbFile))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(dbFile.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database")
                .hasMessageContaining("integrity check failed")
                .hasMessageNotContaining("\n");
    }

    @Test
    void shortTextFileGivesAClearException() throws Exception {
        db.close();
        Path other = dir.resolve("notes.db");
        Files.writeString(other, "this is certainly not a database, just some text that is long enough"
                + " to fill a header of one hundred bytes and a little more besides.\n".repeat(3),
                StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SqliteFunctionRepository.open(other))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(other.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database");
    }

    @Test
    void newerSchemaVersionGivesAClearExceptionAndLeavesTheFileAlone() throws Exception {
        db.insert(fresh("f", "d1"));
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=DELETE");
            st.execute("PRAGMA user_version = 7");
        }

        assertThatThrownBy(() -> SqliteFunctionRepository.open(dbFile))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(dbFile.toAbsolutePath().toString())
                .hasMessageContaining("schema version 7")
                .hasMessageContaining("newer Glambdar");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement st = c.createStatement()) {
            assertThat(pragma(st, "user_version")).isEqualTo("7");
            assertThat(pragma(st, "journal_mode")).isEqualTo("delete");
        }
    }

    @Test
    void foreignSqliteDatabaseIsRefused() throws Exception {
        Path foreign = dir.resolve("foreign.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign);
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE functions (id INTEGER PRIMARY KEY, body TEXT)");
        }

        assertThatThrownBy(() -> SqliteFunctionRepository.open(foreign))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(foreign.toAbsolutePath().toString())
                .hasMessageContaining("not a Glambdar metadata database");
    }

    @Test
    void emptyExistingFileIsInitialised() throws Exception {
        Path empty = dir.resolve("empty.db");
        Files.createFile(empty);

        try (SqliteFunctionRepository other = SqliteFunctionRepository.open(empty)) {
            other.insert(fresh("x", "d"));
            assertThat(other.findAll()).extracting(FunctionRecord::name).containsExactly("x");
        }
    }

    @Test
    void invalidRecordsAreRejectedBeforeTouchingTheDatabase() {
        assertThatThrownBy(() -> new FunctionRecord("f", "d", T0, null, -1, 0, "/c", 0, 0, "{}", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invokeCount");
        assertThatThrownBy(() -> new StatsDelta("f", null, 1, 0, T0, "ok", 1L))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("deploymentId");
        List<StatsDelta> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> db.applyStats(withNull)).isInstanceOf(NullPointerException.class);
    }

    private static String pragma(Statement st, String name) throws Exception {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}

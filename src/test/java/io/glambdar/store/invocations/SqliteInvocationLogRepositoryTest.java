package io.glambdar.store.invocations;

import io.glambdar.store.invocations.InvocationLogRepository.Batch;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteInvocationLogRepositoryTest {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteFunctionRepository functions;
    private SqliteInvocationLogRepository repository;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("glambdar.db"));
        functions = new SqliteFunctionRepository(db);
        repository = new SqliteInvocationLogRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void deploy(String name, String functionId) {
        functions.insert(new FunctionRecord(name, functionId, T0, 1, null, 0, 0, null, null),
                new VersionRecord(name, 1, functionId + "-v1", T0, null, "", 0, 1, "{}"));
    }

    private static InvocationRecord record(int i) {
        return new InvocationRecord("inv-" + i, T0.plusSeconds(i), 10 + i, i % 3 == 0 ? "error" : "ok",
                i % 3 == 0 ? 502 : 200, i % 3 == 0 ? "handler_threw" : null, i == 1, i == 1 ? 250 : 0,
                i % 2 == 0 ? null : 40_000_000L, i % 3 == 0 ? "error" : "ok", "line " + i + "\nünïcödé ✓\n");
    }

    /** Records {@code from} to {@code to}, newest first, as a function's recent invocations hold them. */
    private static List<InvocationRecord> newestFirst(int from, int to) {
        List<InvocationRecord> records = new ArrayList<>();
        for (int i = to; i >= from; i--) {
            records.add(record(i));
        }
        return records;
    }

    @Test
    void savedRecordsComeBackWholeNewestFirstAndSurviveReopening() {
        deploy("hello", "life-1");
        repository.save(List.of(new Batch("hello", "life-1", newestFirst(1, 3))), 50);
        repository.save(List.of(new Batch("hello", "life-1", newestFirst(4, 4))), 50);
        db.close();

        open();

        assertThat(repository.recent("life-1", 50)).containsExactlyElementsOf(newestFirst(1, 4));
        assertThat(repository.recent("life-1", 2)).containsExactlyElementsOf(newestFirst(3, 4));
        assertThat(repository.recent("other", 50)).isEmpty();
    }

    @Test
    void onlyTheNewestKeepRecordsOfEachFunctionAreKept() {
        deploy("a", "life-a");
        deploy("b", "life-b");
        repository.save(List.of(new Batch("a", "life-a", newestFirst(1, 4)),
                new Batch("b", "life-b", List.of(record(100)))), 3);
        repository.save(List.of(new Batch("a", "life-a", newestFirst(5, 6))), 3);

        assertThat(repository.recent("life-a", 50)).containsExactlyElementsOf(newestFirst(4, 6));
        assertThat(repository.recent("life-b", 50)).containsExactly(record(100));
    }

    @Test
    void recordsOfADeletedFunctionAreDeletedWithItAndNotSavedAfterwards() {
        deploy("hello", "life-1");
        repository.save(List.of(new Batch("hello", "life-1", newestFirst(1, 2))), 50);

        assertThat(functions.delete("hello", "life-1")).isTrue();
        // Taken just before the delete, saved just after it: dropped.
        repository.save(List.of(new Batch("hello", "life-1", List.of(record(3)))), 50);
        deploy("hello", "life-2");

        assertThat(repository.recent("life-1", 50)).isEmpty();
        assertThat(repository.recent("life-2", 50)).isEmpty();
    }

    /** A file at schema 4 is what this code writes less {@code invocation_logs}: migration 4 → 5 only adds it. */
    @Test
    void aSchemaFourDatabaseIsMigrated() throws Exception {
        deploy("hello", "life-1");
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("glambdar.db"));
             Statement st = c.createStatement()) {
            st.execute("DROP TABLE invocation_logs");
            st.execute("PRAGMA user_version = 4");
        }

        open();

        assertThat(functions.find("hello")).isPresent();
        assertThat(repository.recent("life-1", 50)).isEmpty();
        repository.save(List.of(new Batch("hello", "life-1", List.of(record(1)))), 50);
        assertThat(repository.recent("life-1", 50)).containsExactly(record(1));
    }
}

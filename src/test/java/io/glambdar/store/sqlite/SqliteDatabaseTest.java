package io.glambdar.store.sqlite;

import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.MetadataException;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metadata file itself: created, migrated, refused when it is not ours or not sound. */
class SqliteDatabaseTest {

    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");

    @TempDir
    Path dir;

    private Path dbFile;
    private SqliteDatabase db;

    @BeforeEach
    void openDatabase() {
        dbFile = dir.resolve("state").resolve("metadata.db");  // parent does not exist yet
        db = SqliteDatabase.open(dbFile);
    }

    @AfterEach
    void closeDatabase() {
        db.close();
    }

    private static void insert(SqliteDatabase into, String name, String functionId) {
        new SqliteFunctionRepository(into).insert(FunctionRecord.newlyDeployed(name, functionId, T0),
                new VersionRecord(name, 1, functionId, T0, null, "", 1, 1, "{}"));
    }

    @Test
    void createsParentDirectoryAndSetsPragmas() throws Exception {
        assertThat(dbFile).isRegularFile();
        assertThat(db.file()).isEqualTo(dbFile.toAbsolutePath());
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement st = c.createStatement()) {
            assertThat(pragma(st, "user_version")).isEqualTo(String.valueOf(SqliteDatabase.SCHEMA_VERSION));
            assertThat(pragma(st, "journal_mode")).isEqualTo("wal");
            assertThat(tables(st)).contains("functions", "versions", "invoke_keys");
        }
    }

    @Test
    void reopeningAnUpToDateFileChangesNothing() throws Exception {
        insert(db, "f", "d1");
        db.close();

        db = SqliteDatabase.open(dbFile);

        assertThat(new SqliteFunctionRepository(db).findAll()).extracting(FunctionRecord::name).containsExactly("f");
    }

    @Test
    void usingAClosedDatabaseFailsClearly() {
        db.close();
        db.close();  // idempotent

        assertThatThrownBy(() -> db.withConnection("read", c -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining(dbFile.getFileName().toString());
    }

    @Test
    void aFailedTransactionWritesNothing() {
        SqliteFunctionRepository repository = new SqliteFunctionRepository(db);

        assertThatThrownBy(() -> db.inTransaction("insert then fail", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO functions (name, function_id, created_at) VALUES ('f', 'd', 0)");
            }
            throw new IllegalStateException("half way");
        })).hasMessage("half way");

        assertThat(repository.findAll()).isEmpty();
    }

    @Test
    void garbageFileGivesAClearException() throws Exception {
        db.close();
        byte[] garbage = new byte[8192];
        new Random(42).nextBytes(garbage);
        Files.write(dbFile, garbage);

        assertThatThrownBy(() -> SqliteDatabase.open(dbFile))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(dbFile.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database")
                .hasMessageContaining("move it");
        assertThat(Files.readAllBytes(dbFile)).isEqualTo(garbage);
    }

    @Test
    void damagedPagesGiveAClearException() throws Exception {
        for (int i = 0; i < 300; i++) {
            insert(db, "f" + i, "d".repeat(200) + i);
        }
        db.close();
        assertThat(Files.size(dbFile)).isGreaterThan(4 * 4096);
        byte[] garbage = new byte[3000];
        new Random(1).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(dbFile.toFile(), "rw")) {
            raf.seek(2 * 4096 + 8);  // inside page 3: the header (page 1) is intact
            raf.write(garbage);
        }

        assertThatThrownBy(() -> SqliteDatabase.open(dbFile))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(dbFile.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database")
                .hasMessageContaining("integrity check failed")
                .hasMessageNotContaining("\n");
    }

    @Test
    void shortTextFileGivesAClearException() throws Exception {
        Path other = dir.resolve("notes.db");
        Files.writeString(other, "this is certainly not a database, just some text that is long enough"
                + " to fill a header of one hundred bytes and a little more besides.\n".repeat(3),
                StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SqliteDatabase.open(other))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(other.toAbsolutePath().toString())
                .hasMessageContaining("corrupt or not a SQLite database");
    }

    @Test
    void newerSchemaVersionGivesAClearExceptionAndLeavesTheFileAlone() throws Exception {
        insert(db, "f", "d1");
        db.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=DELETE");
            st.execute("PRAGMA user_version = 7");
        }

        assertThatThrownBy(() -> SqliteDatabase.open(dbFile))
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

        assertThatThrownBy(() -> SqliteDatabase.open(foreign))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining(foreign.toAbsolutePath().toString())
                .hasMessageContaining("not a Glambdar metadata database");
    }

    @Test
    void emptyExistingFileIsInitialised() throws Exception {
        Path empty = dir.resolve("empty.db");
        Files.createFile(empty);

        try (SqliteDatabase other = SqliteDatabase.open(empty)) {
            insert(other, "x", "d");
            assertThat(new SqliteFunctionRepository(other).findAll()).extracting(FunctionRecord::name)
                    .containsExactly("x");
        }
    }

    @Test
    void aSchemaOneFileIsMigratedToTheCurrentSchema() throws Exception {
        Path old = dir.resolve("old.db");
        SchemaOne.create(old).close();

        SqliteDatabase.open(old).close();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
             Statement st = c.createStatement()) {
            assertThat(pragma(st, "user_version")).isEqualTo(String.valueOf(SqliteDatabase.SCHEMA_VERSION));
            assertThat(tables(st)).contains("functions", "versions", "invoke_keys");
            assertThat(columns(st, "functions")).contains("name", "function_id", "created_at", "last_invoked_at",
                    "invoke_count", "error_count", "last_status", "last_duration_ms", "active_version")
                    // the code's columns moved to versions
                    .doesNotContain("deployment_id", "code_root", "code_size_bytes", "file_count", "settings_json");
        }
    }

    private static String pragma(Statement st, String name) throws Exception {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static List<String> tables(Statement st) throws Exception {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<String> columns(Statement st, String table) throws Exception {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }
}

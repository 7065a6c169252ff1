package io.glambdar.store.sqlite;

import io.glambdar.store.metadata.MetadataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one SQLite file that holds the metadata (functions, versions, invoke keys, asynchronous jobs, recent
 * invocations): opens it, brings its schema up to date, and lends its connection to the repositories built on it, one
 * statement or transaction at a time.
 *
 * <p>One JDBC connection, used under a lock: writers are few (deploy, delete, keys, one background statistics
 * writer), so there is nothing to gain from a pool. The file is in WAL mode with {@code synchronous=NORMAL}: a commit
 * survives a crash of the process, and at worst the last commits before a power loss are lost, never the file.
 *
 * <p>Times are stored as epoch milliseconds (UTC). The schema version is kept in {@code PRAGMA user_version};
 * {@link #MIGRATIONS} holds one entry per version. Every method throws {@link MetadataException} when SQLite fails,
 * and {@link IllegalStateException} once closed.
 */
public final class SqliteDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);

    /** How long a statement waits for a lock held by another connection (another process) before failing. */
    static final int BUSY_TIMEOUT_MS = 5_000;

    /**
     * Schema migrations: entry {@code i} takes the schema from version {@code i} to version {@code i + 1}, in the same
     * transaction that sets {@code user_version}. To change the schema, append an entry; never edit a released one.
     */
    private static final List<List<String>> MIGRATIONS = List.of(
            // 0 -> 1: the functions table, one row per deployed function with its code and statistics
            List.of("""
                    CREATE TABLE functions (
                        name             TEXT    NOT NULL PRIMARY KEY,
                        deployment_id    TEXT    NOT NULL,
                        created_at       INTEGER NOT NULL,  -- epoch millis, UTC
                        last_invoked_at  INTEGER,           -- epoch millis, UTC; NULL before the first invocation
                        invoke_count     INTEGER NOT NULL DEFAULT 0,
                        error_count      INTEGER NOT NULL DEFAULT 0,
                        code_root        TEXT    NOT NULL,
                        code_size_bytes  INTEGER NOT NULL,
                        file_count       INTEGER NOT NULL,
                        settings_json    TEXT    NOT NULL,
                        last_status      TEXT,
                        last_duration_ms INTEGER
                    ) STRICT
                    """),
            // 1 -> 2: immutable versions (each function's code moves into its version 1), and invoke keys
            List.of("""
                            CREATE TABLE versions (
                                function_name    TEXT    NOT NULL,
                                version          INTEGER NOT NULL,
                                deployment_id    TEXT    NOT NULL,  -- names the version's code folder
                                deployed_at      INTEGER NOT NULL,  -- epoch millis, UTC
                                sha256           TEXT,              -- of the uploaded zip; NULL if deployed before versions
                                code_root        TEXT    NOT NULL,
                                code_size_bytes  INTEGER NOT NULL,
                                file_count       INTEGER NOT NULL,
                                settings_json    TEXT    NOT NULL,
                                PRIMARY KEY (function_name, version)
                            ) STRICT
                            """,
                    """
                            INSERT INTO versions (function_name, version, deployment_id, deployed_at, sha256, code_root,
                                                  code_size_bytes, file_count, settings_json)
                            SELECT name, 1, deployment_id, created_at, NULL, code_root, code_size_bytes, file_count,
                                   settings_json
                            FROM functions
                            """,
                    // deployment_id named the function's one deploy; from here on it names the function's life
                    // (a delete and a new deploy of the name make a new one), and versions have their own.
                    "ALTER TABLE functions RENAME COLUMN deployment_id TO function_id",
                    "ALTER TABLE functions ADD COLUMN active_version INTEGER NOT NULL DEFAULT 1",
                    // the highest version number ever given: numbers are never reused, even once pruned or lost
                    "ALTER TABLE functions ADD COLUMN last_version INTEGER NOT NULL DEFAULT 1",
                    "ALTER TABLE functions DROP COLUMN code_root",
                    "ALTER TABLE functions DROP COLUMN code_size_bytes",
                    "ALTER TABLE functions DROP COLUMN file_count",
                    "ALTER TABLE functions DROP COLUMN settings_json",
                    """
                            CREATE TABLE invoke_keys (
                                key_id         TEXT    NOT NULL PRIMARY KEY,
                                function_name  TEXT    NOT NULL,
                                function_id    TEXT    NOT NULL,  -- a key dies with the function's life it was made for
                                key_hash       TEXT    NOT NULL,  -- hex SHA-256 of the whole key; the key itself is not kept
                                created_at     INTEGER NOT NULL,
                                last_used_at   INTEGER
                            ) STRICT
                            """,
                    "CREATE INDEX invoke_keys_by_function ON invoke_keys (function_name)"),
            // 2 -> 3: the durable queue of asynchronous invocations (io.glambdar.store.jobs)
            List.of("""
                            CREATE TABLE jobs (
                                id                TEXT    NOT NULL PRIMARY KEY,  -- the invocation id
                                function_name     TEXT    NOT NULL,
                                function_id       TEXT    NOT NULL,  -- the function's life, as functions.function_id
                                version           INTEGER,           -- NULL: the version active when it runs
                                ran_version       INTEGER,           -- the version its last ended attempt ran on
                                status            TEXT    NOT NULL CHECK (status IN ('queued', 'running',
                                                      'succeeded', 'failed', 'expired', 'cancelled')),
                                attempts          INTEGER NOT NULL DEFAULT 0,
                                max_retries       INTEGER NOT NULL,
                                retry_delay_ms    INTEGER NOT NULL,
                                max_age_ms        INTEGER NOT NULL,
                                created_at        INTEGER NOT NULL,  -- epoch millis, UTC, as every time below
                                age_from          INTEGER NOT NULL,  -- created_at, or the last manual retry
                                next_attempt_at   INTEGER NOT NULL,
                                started_at        INTEGER,           -- of the last attempt
                                finished_at       INTEGER,
                                lease_owner       TEXT,
                                lease_until       INTEGER,
                                request_method    TEXT    NOT NULL,
                                request_path      TEXT    NOT NULL,
                                request_query     TEXT    NOT NULL,
                                request_headers   TEXT    NOT NULL,  -- JSON object: name -> array of values
                                request_body      BLOB    NOT NULL,
                                result_status     INTEGER,
                                result_headers    TEXT,              -- JSON object: name -> array of values
                                result_body       BLOB,
                                error_code        TEXT,
                                error_message     TEXT,
                                logs              TEXT,              -- of the last attempt
                                duration_ms       INTEGER,           -- the last attempt's report, all five or none
                                init_duration_ms  INTEGER,
                                cold_start        INTEGER,
                                max_memory_bytes  INTEGER,
                                outcome           TEXT,
                                callback_url      TEXT,
                                callback_attempts INTEGER NOT NULL DEFAULT 0,
                                callback_next_at  INTEGER,           -- NULL before the job ends and once done
                                callback_done     INTEGER NOT NULL DEFAULT 0,
                                idempotency_key   TEXT
                            ) STRICT
                            """,
                    // claiming's whole order, so that a claim reads the first few rows of a backlog instead of
                    // sorting all of it
                    "CREATE INDEX jobs_due ON jobs (status, next_attempt_at, created_at, id)",
                    // listing newest first: by function, by status (the dead-letter list), or all
                    "CREATE INDEX jobs_by_function ON jobs (function_name, created_at)",
                    "CREATE INDEX jobs_by_status ON jobs (status, created_at)",
                    "CREATE INDEX jobs_by_time ON jobs (created_at)",
                    "CREATE INDEX jobs_by_idempotency_key ON jobs (function_name, idempotency_key, created_at)"
                            + " WHERE idempotency_key IS NOT NULL",
                    "CREATE INDEX jobs_by_finish ON jobs (finished_at) WHERE finished_at IS NOT NULL",
                    "CREATE INDEX jobs_callbacks_due ON jobs (callback_next_at) WHERE callback_next_at IS NOT NULL"),
            // 3 -> 4: where each schedule of the functions' active versions stands (io.glambdar.store.schedules)
            List.of("""
                    CREATE TABLE schedule_state (
                        function_name       TEXT    NOT NULL,
                        schedule_index      INTEGER NOT NULL,  -- in the version's "schedules"
                        deployment_id       TEXT    NOT NULL,  -- the version they belong to; another starts afresh
                        next_run_at         INTEGER,           -- epoch millis, UTC; NULL: never again
                        last_run_at         INTEGER,           -- the last firing's time, as scheduled
                        last_invocation_id  TEXT,              -- the job it queued
                        skipped             INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (function_name, schedule_index)
                    ) STRICT
                    """),
            // 4 -> 5: each function's recent invocations and what they printed (io.glambdar.store.invocations)
            List.of("""
                            CREATE TABLE invocation_logs (
                                seq               INTEGER NOT NULL PRIMARY KEY,  -- the order they were saved in
                                invocation_id     TEXT    NOT NULL UNIQUE,
                                function_name     TEXT    NOT NULL,
                                function_id       TEXT    NOT NULL,  -- the function's life, as functions.function_id
                                started_at        INTEGER NOT NULL,  -- epoch millis, UTC
                                duration_ms       INTEGER NOT NULL,
                                status            TEXT    NOT NULL,
                                status_code       INTEGER,
                                code              TEXT,
                                cold_start        INTEGER NOT NULL,
                                init_duration_ms  INTEGER NOT NULL,
                                max_memory_bytes  INTEGER,
                                outcome           TEXT    NOT NULL,
                                logs              TEXT    NOT NULL
                            ) STRICT
                            """,
                    "CREATE INDEX invocation_logs_by_function ON invocation_logs (function_id, seq)")
    );

    /** The schema version this code writes and understands. */
    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    /** The statements that take the schema from {@code version} to the next (for tests that build old databases). */
    static List<String> migrationFrom(int version) {
        return MIGRATIONS.get(version);
    }

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private SqliteDatabase(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens the database at {@code dbFile}, creating it (and its parent directory) if needed and migrating its schema
     * to {@link #SCHEMA_VERSION}.
     *
     * @throws MetadataException if the directory cannot be created, the file cannot be opened, is not a SQLite
     *                           database or is corrupt, belongs to something else, or was written by a newer Glambdar
     */
    public static SqliteDatabase open(Path dbFile) {
        Path file = dbFile.toAbsolutePath().normalize();
        Path dir = file.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new MetadataException("cannot create the directory " + dir + " for the metadata database " + file
                    + ": " + e + "; check that the path is writable", e);
        }

        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        // Transactions take the write lock up front: no deadlock between two processes upgrading read locks.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);

        Connection connection;
        try {
            connection = config.createConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw openFailure(file, e);
        }
        try {
            prepare(file, connection);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e instanceof SQLException sql ? openFailure(file, sql) : (RuntimeException) e;
        }
        return new SqliteDatabase(file, StatementCache.of(connection));
    }

    /** Checks the file before changing anything in it, then switches it to WAL and brings its schema up to date. */
    private static void prepare(Path file, Connection connection) throws SQLException {
        int version = userVersion(connection);  // the first read: fails here if the file is not a database
        if (version > SCHEMA_VERSION) {
            throw new MetadataException("the metadata database " + file + " has schema version " + version
                    + ", but this Glambdar only knows versions up to " + SCHEMA_VERSION
                    + ": it was written by a newer Glambdar. Run that newer version, or move the file away to start"
                    + " with an empty metadata database (deployed functions and their statistics are then forgotten)");
        }
        String check = quickCheck(connection);
        if (!"ok".equals(check)) {
            throw corrupt(file, "integrity check failed: " + check, null);
        }
        if (version == 0 && hasTables(connection)) {
            throw new MetadataException("the file " + file + " is a SQLite database, but not a Glambdar metadata"
                    + " database (it has tables but no Glambdar schema version); point Glambdar at another"
                    + " directory or move the file away");
        }

        try (Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                String mode = rs.next() ? rs.getString(1) : null;
                if (!"wal".equalsIgnoreCase(mode)) {
                    log.warn("Metadata database {}: could not switch to WAL journal mode (got {}); continuing", file,
                            mode);
                }
            }
            st.execute("PRAGMA synchronous=NORMAL");
        }
        migrate(file, connection);
    }

    private static void migrate(Path file, Connection connection) throws SQLException {
        if (userVersion(connection) == SCHEMA_VERSION) {
            return;
        }
        connection.setAutoCommit(false);
        try {
            // Re-read under the write lock: another process may have migrated in the meantime.
            int version = userVersion(connection);
            int from = version;
            try (Statement st = connection.createStatement()) {
                for (; version < SCHEMA_VERSION; version++) {
                    for (String sql : MIGRATIONS.get(version)) {
                        st.execute(sql);
                    }
                }
                st.execute("PRAGMA user_version = " + SCHEMA_VERSION);
            }
            connection.commit();
            if (from == 0) {
                log.info("Created metadata database {} (schema version {})", file, SCHEMA_VERSION);
            } else if (from < SCHEMA_VERSION) {
                log.info("Migrated metadata database {} from schema version {} to {}", file, from, SCHEMA_VERSION);
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static int userVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** {@code "ok"}, or the first few problems SQLite found, joined. */
    private static String quickCheck(Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA quick_check(3)")) {
            while (rs.next()) {
                problems.add(rs.getString(1).replace('\n', ' ').strip());
            }
        }
        return problems.isEmpty() ? "no result" : String.join("; ", problems);
    }

    private static boolean hasTables(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM sqlite_schema LIMIT 1")) {
            return rs.next();
        }
    }

    private static MetadataException openFailure(Path file, SQLException e) {
        int primary = e instanceof SQLiteException s ? s.getResultCode().code & 0xFF : -1;
        if (primary == SQLiteErrorCode.SQLITE_NOTADB.code || primary == SQLiteErrorCode.SQLITE_CORRUPT.code) {
            return corrupt(file, e.getMessage(), e);
        }
        return new MetadataException("cannot open the metadata database " + file + ": " + e.getMessage()
                + "; check that it is a readable and writable file and that no other program holds it locked", e);
    }

    private static MetadataException corrupt(Path file, String detail, Throwable cause) {
        return new MetadataException("the metadata database " + file + " is corrupt or not a SQLite database ("
                + detail + "). Restore it from a backup, or move it (with any " + file.getFileName()
                + "-wal and -shm files next to it) away to start with an empty one: each function's active code is"
                + " then served again as its version 1, and its statistics, older versions and keys are forgotten",
                cause);
    }

    /** The database file, as an absolute path. */
    public Path file() {
        return file;
    }

    /** Work with the connection: one statement or more, each committed on its own. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} with the connection, alone.
     *
     * @param what what the work does, for the error message ("insert function 'x'")
     */
    public <T> T withConnection(String what, SqlWork<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the metadata database " + file + " is closed");
            }
            return work.run(connection);
        } catch (SQLException e) {
            throw new MetadataException("failed to " + what + " in the metadata database " + file + ": "
                    + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or (on any failure) none of it. */
    public <T> T inTransaction(String what, SqlWork<T> work) {
        return withConnection(what, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                // An Error too: turning auto-commit back on below would commit the half-done work.
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** Closes the connection. Closing twice does nothing. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connection.close();
        } catch (SQLException e) {
            throw new MetadataException("failed to close the metadata database " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    // ---------------------------------------------------------------- column helpers for the repositories

    public static Instant nullableTime(ResultSet rs, String column) throws SQLException {
        Long millis = nullableLong(rs, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    public static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    public static void setNullableTime(PreparedStatement ps, int index, Instant t) throws SQLException {
        setNullableLong(ps, index, t == null ? null : t.toEpochMilli());
    }

    public static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value);
        }
    }
}

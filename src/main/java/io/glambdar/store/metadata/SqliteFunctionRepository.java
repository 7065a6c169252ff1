package io.glambdar.store.metadata;

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
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The {@link FunctionRepository} in one SQLite file: one row per deployed function ({@link FunctionRecord}).
 *
 * <p>One JDBC connection, used under a lock: writers are few (deploy, delete, one background stats flusher), so
 * there is nothing to gain from a pool. The file is in WAL mode with {@code synchronous=NORMAL}: a commit survives a
 * crash of the process, and at worst the last commits before a power loss are lost, never the file.
 *
 * <p>Times are stored as epoch milliseconds (UTC) and come back as {@link Instant}s with millisecond precision.
 *
 * <p>The schema version is kept in {@code PRAGMA user_version}; {@link #MIGRATIONS} holds one entry per version.
 * Every method throws {@link MetadataException} when SQLite fails, and {@link IllegalStateException} once closed.
 */
public final class SqliteFunctionRepository implements FunctionRepository {

    private static final Logger log = LoggerFactory.getLogger(SqliteFunctionRepository.class);

    /** How long a statement waits for a lock held by another connection (another process) before failing. */
    static final int BUSY_TIMEOUT_MS = 5_000;

    /**
     * Schema migrations: entry {@code i} takes the schema from version {@code i} to version {@code i + 1}, in the same
     * transaction that sets {@code user_version}. To change the schema, append an entry; never edit a released one.
     */
    private static final List<List<String>> MIGRATIONS = List.of(
            // 0 -> 1: the functions table
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
                    """)
            // 1 -> 2: List.of("ALTER TABLE functions ADD COLUMN ...")
    );

    /** The schema version this code writes and understands. */
    public static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final String COLUMNS = "name, deployment_id, created_at, last_invoked_at, invoke_count, error_count,"
            + " code_root, code_size_bytes, file_count, settings_json, last_status, last_duration_ms";

    private static final String INSERT = "INSERT INTO functions (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING";

    /*
     * SQLite evaluates every right-hand side against the row as it was before the UPDATE, so the CASEs below all
     * compare the delta with the stored last_invoked_at. ?5 is the delta's lastInvokedAt: the "last" columns move
     * only when it is present and not older than the stored one.
     */
    private static final String APPLY_STATS = """
            UPDATE functions SET
                invoke_count     = invoke_count + ?3,
                error_count      = error_count + ?4,
                last_status      = CASE WHEN ?5 IS NOT NULL AND (last_invoked_at IS NULL OR ?5 >= last_invoked_at)
                                        THEN ?6 ELSE last_status END,
                last_duration_ms = CASE WHEN ?5 IS NOT NULL AND (last_invoked_at IS NULL OR ?5 >= last_invoked_at)
                                        THEN ?7 ELSE last_duration_ms END,
                last_invoked_at  = CASE WHEN ?5 IS NOT NULL AND (last_invoked_at IS NULL OR ?5 >= last_invoked_at)
                                        THEN ?5 ELSE last_invoked_at END
            WHERE name = ?1 AND deployment_id = ?2
            """;

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private SqliteFunctionRepository(Path file, Connection connection) {
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
    public static SqliteFunctionRepository open(Path dbFile) {
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
        return new SqliteFunctionRepository(file, connection);
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
            throw corrupt(file, "integrity check failed: " + check);
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

    private static MetadataException corrupt(Path file, String detail) {
        return corrupt(file, detail, null);
    }

    private static MetadataException corrupt(Path file, String detail, Throwable cause) {
        return new MetadataException("the metadata database " + file + " is corrupt or not a SQLite database ("
                + detail + "). Restore it from a backup, or move it (with any " + file.getFileName()
                + "-wal and -shm files next to it) away to start with an empty one; deployed functions and their"
                + " statistics are then forgotten", cause);
    }

    /** The database file, as an absolute path. */
    public Path file() {
        return file;
    }

    /** The name's primary key decides: {@code ON CONFLICT DO NOTHING}, and no row written means a duplicate. */
    @Override
    public void insert(FunctionRecord r) {
        Objects.requireNonNull(r, "record");
        withConnection("insert function '" + r.name() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setString(1, r.name());
                ps.setString(2, r.deploymentId());
                ps.setLong(3, r.createdAt().toEpochMilli());
                setNullableTime(ps, 4, r.lastInvokedAt());
                ps.setLong(5, r.invokeCount());
                ps.setLong(6, r.errorCount());
                ps.setString(7, r.codeRoot());
                ps.setLong(8, r.codeSizeBytes());
                ps.setInt(9, r.fileCount());
                ps.setString(10, r.settingsJson());
                ps.setString(11, r.lastStatus());
                setNullableLong(ps, 12, r.lastDurationMs());
                if (ps.executeUpdate() == 0) {
                    throw new DuplicateFunctionException(r.name());
                }
            }
            return null;
        });
    }

    @Override
    public Optional<FunctionRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return withConnection("read function '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM functions WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<FunctionRecord> findAll() {
        return withConnection("read all functions", c -> {
            List<FunctionRecord> all = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM functions ORDER BY name")) {
                while (rs.next()) {
                    all.add(read(rs));
                }
            }
            return all;
        });
    }

    @Override
    public boolean delete(String name, String deploymentId) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(deploymentId, "deploymentId");
        return withConnection("delete function '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM functions WHERE name = ? AND deployment_id = ?")) {
                ps.setString(1, name);
                ps.setString(2, deploymentId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** One transaction for the whole batch. */
    @Override
    public void applyStats(Collection<StatsDelta> deltas) {
        List<StatsDelta> batch = List.copyOf(deltas);  // rejects null elements before anything is written
        if (batch.isEmpty()) {
            return;
        }
        int dropped = withConnection("apply statistics for " + batch.size() + " function(s)", c -> {
            int missed = 0;
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(APPLY_STATS)) {
                for (StatsDelta d : batch) {
                    ps.setString(1, d.name());
                    ps.setString(2, d.deploymentId());
                    ps.setLong(3, d.invocations());
                    ps.setLong(4, d.errors());
                    setNullableTime(ps, 5, d.lastInvokedAt());
                    ps.setString(6, d.lastStatus());
                    setNullableLong(ps, 7, d.lastDurationMs());
                    if (ps.executeUpdate() == 0) {
                        missed++;
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            return missed;
        });
        if (dropped > 0) {
            log.debug("Dropped {} statistics update(s) for functions deleted or redeployed since", dropped);
        }
    }

    /** Closes the connection. */
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

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(String what, SqlWork<T> work) {
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

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static FunctionRecord read(ResultSet rs) throws SQLException {
        return new FunctionRecord(
                rs.getString("name"),
                rs.getString("deployment_id"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                nullableTime(rs, "last_invoked_at"),
                rs.getLong("invoke_count"),
                rs.getLong("error_count"),
                rs.getString("code_root"),
                rs.getLong("code_size_bytes"),
                rs.getInt("file_count"),
                rs.getString("settings_json"),
                rs.getString("last_status"),
                nullableLong(rs, "last_duration_ms"));
    }

    private static Instant nullableTime(ResultSet rs, String column) throws SQLException {
        Long millis = nullableLong(rs, column);
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static void setNullableTime(PreparedStatement ps, int index, Instant t) throws SQLException {
        setNullableLong(ps, index, t == null ? null : t.toEpochMilli());
    }

    private static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value);
        }
    }
}

package io.glambdar.store.metadata;

import io.glambdar.store.sqlite.SqliteDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;

import static io.glambdar.store.sqlite.SqliteDatabase.nullableLong;
import static io.glambdar.store.sqlite.SqliteDatabase.nullableTime;
import static io.glambdar.store.sqlite.SqliteDatabase.setNullableLong;
import static io.glambdar.store.sqlite.SqliteDatabase.setNullableTime;

/**
 * The {@link FunctionRepository} in the SQLite {@link SqliteDatabase}: the tables {@code functions} and
 * {@code versions}. Times come back as {@link Instant}s with millisecond precision.
 */
public final class SqliteFunctionRepository implements FunctionRepository, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqliteFunctionRepository.class);

    private static final String COLUMNS = "name, function_id, created_at, active_version, last_version,"
            + " last_invoked_at, invoke_count, error_count, last_status, last_duration_ms";

    private static final String VERSION_COLUMNS = "function_name, version, deployment_id, deployed_at, sha256,"
            + " code_root, code_size_bytes, file_count, settings_json";

    private static final String INSERT_VERSION = "INSERT INTO versions (" + VERSION_COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (function_name, version) DO NOTHING";

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
            WHERE name = ?1 AND function_id = ?2
            """;

    private final SqliteDatabase db;
    private final boolean ownsDatabase;

    /** A repository on a database others use too; whoever opened it closes it. */
    public SqliteFunctionRepository(SqliteDatabase db) {
        this(db, false);
    }

    private SqliteFunctionRepository(SqliteDatabase db, boolean ownsDatabase) {
        this.db = db;
        this.ownsDatabase = ownsDatabase;
    }

    /** Opens (creating or migrating) the database at {@code dbFile} for this repository alone; close it when done. */
    public static SqliteFunctionRepository open(Path dbFile) {
        return new SqliteFunctionRepository(SqliteDatabase.open(dbFile), true);
    }

    /** The database file, as an absolute path. */
    public Path file() {
        return db.file();
    }

    /** The name's primary key decides: {@code ON CONFLICT DO NOTHING}, and no row written means a duplicate. */
    @Override
    public void insert(FunctionRecord f, VersionRecord first) {
        Objects.requireNonNull(f, "function");
        Objects.requireNonNull(first, "first");
        requireSameFunction(f.name(), first);
        db.inTransaction("insert function '" + f.name() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO functions (" + COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, f.name());
                ps.setString(2, f.functionId());
                ps.setLong(3, f.createdAt().toEpochMilli());
                ps.setInt(4, first.version());
                ps.setInt(5, first.version());
                setNullableTime(ps, 6, f.lastInvokedAt());
                ps.setLong(7, f.invokeCount());
                ps.setLong(8, f.errorCount());
                ps.setString(9, f.lastStatus());
                setNullableLong(ps, 10, f.lastDurationMs());
                if (ps.executeUpdate() == 0) {
                    throw new DuplicateFunctionException(f.name());
                }
            }
            // Versions outlive nothing: a leftover row of an earlier life of the name would be a bug, not a conflict.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM versions WHERE function_name = ?")) {
                ps.setString(1, f.name());
                ps.executeUpdate();
            }
            insertVersion(c, first);
            return null;
        });
    }

    /** The number comes from {@code last_version}, raised in the same transaction: SQLite's write lock orders them. */
    @Override
    public Optional<VersionRecord> addVersion(String name, String functionId, IntFunction<VersionRecord> numbered) {
        Objects.requireNonNull(functionId, "functionId");
        return db.inTransaction("add a version of function '" + name + "'", c -> {
            int number;
            try (PreparedStatement ps = c.prepareStatement("UPDATE functions SET last_version = last_version + 1,"
                    + " active_version = last_version + 1 WHERE name = ? AND function_id = ? RETURNING last_version")) {
                ps.setString(1, name);
                ps.setString(2, functionId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    number = rs.getInt(1);
                }
            }
            VersionRecord version = numbered.apply(number);
            if (version.version() != number || !version.functionName().equals(name)) {
                throw new IllegalArgumentException("version " + version.version() + " of '" + version.functionName()
                        + "' made for number " + number + " of '" + name + "'");
            }
            insertVersion(c, version);
            return Optional.of(version);
        });
    }

    private static void insertVersion(java.sql.Connection c, VersionRecord v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_VERSION)) {
            ps.setString(1, v.functionName());
            ps.setInt(2, v.version());
            ps.setString(3, v.deploymentId());
            ps.setLong(4, v.deployedAt().toEpochMilli());
            ps.setString(5, v.sha256());
            ps.setString(6, v.codeRoot());
            ps.setLong(7, v.codeSizeBytes());
            ps.setInt(8, v.fileCount());
            ps.setString(9, v.settingsJson());
            if (ps.executeUpdate() == 0) {
                // last_version only grows, so a row of this number is a leftover no version should have left
                throw new SQLException("version " + v.version() + " of '" + v.functionName() + "' exists already");
            }
        }
    }

    @Override
    public boolean activate(String name, String functionId, int version) {
        return db.withConnection("activate version " + version + " of function '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE functions SET active_version = ?1"
                    + " WHERE name = ?2 AND function_id = ?3"
                    + " AND EXISTS (SELECT 1 FROM versions WHERE function_name = ?2 AND version = ?1)")) {
                ps.setInt(1, version);
                ps.setString(2, name);
                ps.setString(3, functionId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void deleteVersions(String name, Collection<Integer> versions) {
        List<Integer> doomed = List.copyOf(versions);
        if (doomed.isEmpty()) {
            return;
        }
        db.inTransaction("delete " + doomed.size() + " version(s) of function '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM versions WHERE function_name = ?"
                    + " AND version = ? AND version <> (SELECT active_version FROM functions WHERE name = ?)")) {
                for (int version : doomed) {
                    ps.setString(1, name);
                    ps.setInt(2, version);
                    ps.setString(3, name);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<FunctionRecord> find(String name) {
        Objects.requireNonNull(name, "name");
        return db.withConnection("read function '" + name + "'", c -> {
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
        return db.withConnection("read all functions", c -> {
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
    public List<VersionRecord> findVersions(String name) {
        Objects.requireNonNull(name, "name");
        return readVersions("read the versions of function '" + name + "'", "WHERE function_name = ?", name);
    }

    @Override
    public List<VersionRecord> findAllVersions() {
        return readVersions("read the versions of every function", "", null);
    }

    /** @param where a filter on one parameter ({@code name}), or "" for every row */
    private List<VersionRecord> readVersions(String what, String where, String name) {
        return db.withConnection(what, c -> {
            List<VersionRecord> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM versions " + where
                    + " ORDER BY function_name, version DESC")) {
                if (name != null) {
                    ps.setString(1, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.add(readVersion(rs));
                    }
                }
            }
            return all;
        });
    }

    @Override
    public boolean delete(String name, String functionId) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(functionId, "functionId");
        return db.inTransaction("delete function '" + name + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM functions WHERE name = ? AND function_id = ?")) {
                ps.setString(1, name);
                ps.setString(2, functionId);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            for (String sql : List.of("DELETE FROM versions WHERE function_name = ?",
                    "DELETE FROM invoke_keys WHERE function_name = ?",
                    "DELETE FROM invocation_logs WHERE function_name = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
            }
            return true;
        });
    }

    /** One transaction for the whole batch. */
    @Override
    public void applyStats(Collection<StatsDelta> deltas) {
        List<StatsDelta> batch = List.copyOf(deltas);  // rejects null elements before anything is written
        if (batch.isEmpty()) {
            return;
        }
        int dropped = db.inTransaction("apply statistics for " + batch.size() + " function(s)", c -> {
            int missed = 0;
            try (PreparedStatement ps = c.prepareStatement(APPLY_STATS)) {
                for (StatsDelta d : batch) {
                    ps.setString(1, d.name());
                    ps.setString(2, d.functionId());
                    ps.setLong(3, d.invocations());
                    ps.setLong(4, d.errors());
                    setNullableTime(ps, 5, d.lastInvokedAt());
                    ps.setString(6, d.lastStatus());
                    setNullableLong(ps, 7, d.lastDurationMs());
                    if (ps.executeUpdate() == 0) {
                        missed++;
                    }
                }
            }
            return missed;
        });
        if (dropped > 0) {
            log.debug("Dropped {} statistics update(s) for functions deleted or redeployed since", dropped);
        }
    }

    /** Closes the database if this repository opened it ({@link #open}); otherwise its opener does. */
    @Override
    public void close() {
        if (ownsDatabase) {
            db.close();
        }
    }

    private static void requireSameFunction(String name, VersionRecord version) {
        if (!name.equals(version.functionName())) {
            throw new IllegalArgumentException("version of '" + version.functionName() + "' given for '" + name + "'");
        }
    }

    private static FunctionRecord read(ResultSet rs) throws SQLException {
        return new FunctionRecord(
                rs.getString("name"),
                rs.getString("function_id"),
                Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getInt("active_version"),
                nullableTime(rs, "last_invoked_at"),
                rs.getLong("invoke_count"),
                rs.getLong("error_count"),
                rs.getString("last_status"),
                nullableLong(rs, "last_duration_ms"));
    }

    private static VersionRecord readVersion(ResultSet rs) throws SQLException {
        return new VersionRecord(
                rs.getString("function_name"),
                rs.getInt("version"),
                rs.getString("deployment_id"),
                Instant.ofEpochMilli(rs.getLong("deployed_at")),
                rs.getString("sha256"),
                rs.getString("code_root"),
                rs.getLong("code_size_bytes"),
                rs.getInt("file_count"),
                rs.getString("settings_json"));
    }
}

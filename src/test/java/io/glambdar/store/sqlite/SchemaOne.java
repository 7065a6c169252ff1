package io.glambdar.store.sqlite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * A metadata database as a Glambdar from before versions (schema 1) left it, written with plain JDBC by the released
 * first migration alone.
 */
public final class SchemaOne implements AutoCloseable {

    /** One row of the schema-1 {@code functions} table. */
    public record Row(String name, String deploymentId, Instant createdAt, Instant lastInvokedAt, long invokeCount,
                      long errorCount, String codeRoot, long codeSizeBytes, int fileCount, String settingsJson,
                      String lastStatus, Long lastDurationMs) {

        /** Never invoked. */
        public static Row fresh(String name, String deploymentId, Instant createdAt, String codeRoot,
                                long codeSizeBytes, int fileCount, String settingsJson) {
            return new Row(name, deploymentId, createdAt, null, 0, 0, codeRoot, codeSizeBytes, fileCount,
                    settingsJson, null, null);
        }
    }

    private final Connection connection;

    private SchemaOne(Connection connection) {
        this.connection = connection;
    }

    /** Creates a schema-1 database at {@code file} (which must not exist yet). */
    public static SchemaOne create(Path file) throws SQLException {
        if (Files.exists(file)) {
            throw new IllegalStateException(file + " exists already");
        }
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement st = connection.createStatement()) {
            for (String sql : SqliteDatabase.migrationFrom(0)) {
                st.execute(sql);
            }
            st.execute("PRAGMA user_version = 1");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return new SchemaOne(connection);
    }

    public SchemaOne insert(Row row) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO functions (name, deployment_id,"
                + " created_at, last_invoked_at, invoke_count, error_count, code_root, code_size_bytes, file_count,"
                + " settings_json, last_status, last_duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, row.name());
            ps.setString(2, row.deploymentId());
            ps.setLong(3, row.createdAt().toEpochMilli());
            SqliteDatabase.setNullableTime(ps, 4, row.lastInvokedAt());
            ps.setLong(5, row.invokeCount());
            ps.setLong(6, row.errorCount());
            ps.setString(7, row.codeRoot());
            ps.setLong(8, row.codeSizeBytes());
            ps.setInt(9, row.fileCount());
            ps.setString(10, row.settingsJson());
            ps.setString(11, row.lastStatus());
            SqliteDatabase.setNullableLong(ps, 12, row.lastDurationMs());
            ps.executeUpdate();
        }
        return this;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}

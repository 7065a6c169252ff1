package io.glambdar.store.keys;

import io.glambdar.store.sqlite.SqliteDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link KeyRepository} on the {@code invoke_keys} table of a {@link SqliteDatabase}, which owns the connection. */
public final class SqliteKeyRepository implements KeyRepository {

    private static final String COLUMNS = "key_id, function_name, function_id, key_hash, created_at, last_used_at";

    private final SqliteDatabase db;

    public SqliteKeyRepository(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void insert(InvokeKeyRecord key) {
        db.withConnection("insert invoke key " + key.keyId() + " of function '" + key.functionName() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO invoke_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, key.keyId());
                ps.setString(2, key.functionName());
                ps.setString(3, key.functionId());
                ps.setString(4, key.keyHash());
                ps.setLong(5, key.createdAt().toEpochMilli());
                SqliteDatabase.setNullableTime(ps, 6, key.lastUsedAt());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<InvokeKeyRecord> findByFunction(String functionName) {
        return db.withConnection("read the invoke keys of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM invoke_keys WHERE function_name = ? ORDER BY created_at, key_id")) {
                ps.setString(1, functionName);
                return read(ps);
            }
        });
    }

    @Override
    public List<InvokeKeyRecord> findAll() {
        return db.withConnection("read the invoke keys", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM invoke_keys ORDER BY created_at, key_id")) {
                return read(ps);
            }
        });
    }

    @Override
    public boolean delete(String functionName, String keyId) {
        return db.withConnection("delete invoke key " + keyId + " of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM invoke_keys WHERE key_id = ? AND function_name = ?")) {
                ps.setString(1, keyId);
                ps.setString(2, functionName);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int deleteAllOf(String functionName) {
        return db.withConnection("delete the invoke keys of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM invoke_keys WHERE function_name = ?")) {
                ps.setString(1, functionName);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void recordLastUsed(Map<String, Instant> lastUsedByKeyId) {
        if (lastUsedByKeyId.isEmpty()) {
            return;
        }
        db.inTransaction("record when " + lastUsedByKeyId.size() + " invoke keys were last used", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE invoke_keys SET last_used_at = ?"
                    + " WHERE key_id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
                for (Map.Entry<String, Instant> used : lastUsedByKeyId.entrySet()) {
                    long at = used.getValue().toEpochMilli();
                    ps.setLong(1, at);
                    ps.setString(2, used.getKey());
                    ps.setLong(3, at);
                    ps.addBatch();
                }
                return ps.executeBatch();
            }
        });
    }

    private static List<InvokeKeyRecord> read(PreparedStatement ps) throws SQLException {
        List<InvokeKeyRecord> keys = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new InvokeKeyRecord(rs.getString("key_id"), rs.getString("function_name"),
                        rs.getString("function_id"), rs.getString("key_hash"),
                        Instant.ofEpochMilli(rs.getLong("created_at")),
                        SqliteDatabase.nullableTime(rs, "last_used_at")));
            }
        }
        return keys;
    }
}

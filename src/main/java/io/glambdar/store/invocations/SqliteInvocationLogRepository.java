package io.glambdar.store.invocations;

import io.glambdar.store.sqlite.SqliteDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@link InvocationLogRepository} on the {@code invocation_logs} table of a {@link SqliteDatabase}. */
public final class SqliteInvocationLogRepository implements InvocationLogRepository {

    private static final String COLUMNS = "invocation_id, function_name, function_id, started_at, duration_ms, status,"
            + " status_code, code, cold_start, init_duration_ms, max_memory_bytes, outcome, logs";

    private final SqliteDatabase db;

    public SqliteInvocationLogRepository(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void save(Collection<Batch> batches, int keep) {
        if (batches.isEmpty()) {
            return;
        }
        db.inTransaction("save the recent invocations of " + batches.size() + " functions", c -> {
            // Only while that life of the function is deployed: a batch taken just before a delete is not saved.
            try (PreparedStatement insert = c.prepareStatement("INSERT OR REPLACE INTO invocation_logs (" + COLUMNS
                    + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                    + " WHERE EXISTS (SELECT 1 FROM functions WHERE name = ? AND function_id = ?)");
                 PreparedStatement prune = c.prepareStatement("DELETE FROM invocation_logs WHERE function_id = ?"
                         + " AND seq <= (SELECT seq FROM invocation_logs WHERE function_id = ?"
                         + " ORDER BY seq DESC LIMIT 1 OFFSET ?)")) {
                for (Batch batch : batches) {
                    List<InvocationRecord> records = batch.newestFirst();
                    for (int i = records.size() - 1; i >= 0; i--) { // oldest first: seq grows with recency
                        InvocationRecord r = records.get(i);
                        insert.setString(1, r.invocationId());
                        insert.setString(2, batch.functionName());
                        insert.setString(3, batch.functionId());
                        insert.setLong(4, r.startedAt().toEpochMilli());
                        insert.setLong(5, r.durationMs());
                        insert.setString(6, r.status());
                        SqliteDatabase.setNullableLong(insert, 7, r.statusCode() == null ? null : (long) r.statusCode());
                        insert.setString(8, r.code());
                        insert.setInt(9, r.coldStart() ? 1 : 0);
                        insert.setLong(10, r.initDurationMs());
                        SqliteDatabase.setNullableLong(insert, 11, r.maxMemoryBytes());
                        insert.setString(12, r.outcome());
                        insert.setString(13, r.logs());
                        insert.setString(14, batch.functionName());
                        insert.setString(15, batch.functionId());
                        insert.addBatch();
                    }
                    prune.setString(1, batch.functionId());
                    prune.setString(2, batch.functionId());
                    prune.setInt(3, keep);
                    prune.addBatch();
                }
                insert.executeBatch();
                prune.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<InvocationRecord> recent(String functionId, int limit) {
        return db.withConnection("read the recent invocations of function " + functionId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM invocation_logs WHERE function_id = ? ORDER BY seq DESC LIMIT ?")) {
                ps.setString(1, functionId);
                ps.setInt(2, limit);
                List<InvocationRecord> records = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Long statusCode = SqliteDatabase.nullableLong(rs, "status_code");
                        records.add(new InvocationRecord(rs.getString("invocation_id"),
                                Instant.ofEpochMilli(rs.getLong("started_at")), rs.getLong("duration_ms"),
                                rs.getString("status"), statusCode == null ? null : statusCode.intValue(),
                                rs.getString("code"), rs.getInt("cold_start") != 0, rs.getLong("init_duration_ms"),
                                SqliteDatabase.nullableLong(rs, "max_memory_bytes"), rs.getString("outcome"),
                                rs.getString("logs")));
                    }
                }
                return records;
            }
        });
    }
}

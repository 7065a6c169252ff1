package io.glambdar.store.schedules;

import io.glambdar.store.sqlite.SqliteDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ScheduleStateRepository} on the {@code schedule_state} table of a {@link SqliteDatabase}, which owns the
 * connection.
 */
public final class SqliteScheduleStateRepository implements ScheduleStateRepository {

    private static final String COLUMNS = "function_name, schedule_index, deployment_id, next_run_at, last_run_at,"
            + " last_invocation_id, skipped";
    /** The guard of every claim: the schedule as seen, still due at the time seen. */
    private static final String DUE = " WHERE function_name = ? AND schedule_index = ? AND deployment_id = ?"
            + " AND next_run_at = ?";

    private final SqliteDatabase db;

    public SqliteScheduleStateRepository(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public List<ScheduleState> all() {
        return db.withConnection("read the schedules' state", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM schedule_state ORDER BY function_name, schedule_index")) {
                List<ScheduleState> states = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        states.add(read(rs));
                    }
                }
                return states;
            }
        });
    }

    @Override
    public ScheduleState start(String functionName, int index, String deploymentId, Instant nextRunAt) {
        return db.withConnection("start schedule " + index + " of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO schedule_state (" + COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, NULL, NULL, 0)"
                    + " ON CONFLICT (function_name, schedule_index) DO UPDATE SET"
                    + " deployment_id = excluded.deployment_id, next_run_at = excluded.next_run_at,"
                    + " last_run_at = NULL, last_invocation_id = NULL, skipped = 0"
                    + " WHERE deployment_id <> excluded.deployment_id"
                    + " RETURNING " + COLUMNS)) {
                ps.setString(1, functionName);
                ps.setInt(2, index);
                ps.setString(3, deploymentId);
                SqliteDatabase.setNullableTime(ps, 4, nextRunAt);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return read(rs);
                    }
                }
            }
            // Already there, for this deployment: nothing was written, so nothing returned.
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM schedule_state WHERE function_name = ? AND schedule_index = ?")) {
                ps.setString(1, functionName);
                ps.setInt(2, index);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("schedule " + index + " of '" + functionName + "' vanished");
                    }
                    return read(rs);
                }
            }
        });
    }

    @Override
    public int deleteFrom(String functionName, int fromIndex) {
        return db.withConnection("forget the schedules of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM schedule_state WHERE function_name = ? AND schedule_index >= ?")) {
                ps.setString(1, functionName);
                ps.setInt(2, fromIndex);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean claimFiring(ScheduleState due, Instant nextRunAt) {
        return claim(due, "last_run_at = next_run_at, next_run_at = ?", nextRunAt, "claim a firing");
    }

    @Override
    public boolean claimSkip(ScheduleState due, Instant nextRunAt) {
        return claim(due, "skipped = skipped + 1, next_run_at = ?", nextRunAt, "skip a firing");
    }

    @Override
    public boolean passOver(ScheduleState due, Instant nextRunAt) {
        return claim(due, "next_run_at = ?", nextRunAt, "pass over a missed firing");
    }

    /** One conditional UPDATE: {@code set} takes the new next run as its one parameter. */
    private boolean claim(ScheduleState due, String set, Instant nextRunAt, String what) {
        if (due.nextRunAt() == null) {
            return false;
        }
        return db.withConnection(what + " of schedule " + due.index() + " of function '" + due.functionName() + "'",
                c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE schedule_state SET " + set + DUE)) {
                        SqliteDatabase.setNullableTime(ps, 1, nextRunAt);
                        ps.setString(2, due.functionName());
                        ps.setInt(3, due.index());
                        ps.setString(4, due.deploymentId());
                        ps.setLong(5, due.nextRunAt().toEpochMilli());
                        return ps.executeUpdate() == 1;
                    }
                });
    }

    @Override
    public void recordInvocation(ScheduleState fired, String invocationId) {
        db.withConnection("record the invocation of schedule " + fired.index() + " of function '"
                + fired.functionName() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE schedule_state SET last_invocation_id = ?"
                    + " WHERE function_name = ? AND schedule_index = ? AND deployment_id = ? AND last_run_at = ?")) {
                ps.setString(1, invocationId);
                ps.setString(2, fired.functionName());
                ps.setInt(3, fired.index());
                ps.setString(4, fired.deploymentId());
                SqliteDatabase.setNullableTime(ps, 5, fired.nextRunAt());
                return ps.executeUpdate();
            }
        });
    }

    private static ScheduleState read(ResultSet rs) throws SQLException {
        return new ScheduleState(rs.getString("function_name"), rs.getInt("schedule_index"),
                rs.getString("deployment_id"), SqliteDatabase.nullableTime(rs, "next_run_at"),
                SqliteDatabase.nullableTime(rs, "last_run_at"), rs.getString("last_invocation_id"),
                rs.getLong("skipped"));
    }
}

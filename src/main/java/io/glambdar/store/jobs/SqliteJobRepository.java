package io.glambdar.store.jobs;

import io.glambdar.function.AsyncPolicy;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.store.sqlite.GroupCommit;
import io.glambdar.store.sqlite.SqliteDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.glambdar.store.sqlite.SqliteDatabase.nullableLong;
import static io.glambdar.store.sqlite.SqliteDatabase.nullableTime;
import static io.glambdar.store.sqlite.SqliteDatabase.setNullableLong;
import static io.glambdar.store.sqlite.SqliteDatabase.setNullableTime;

/**
 * {@link JobRepository} on the {@code jobs} table of a {@link SqliteDatabase}, which owns the connection.
 *
 * <p>Atomicity: the database lends its one connection under a lock and begins every transaction {@code IMMEDIATE}
 * (the file's write lock taken up front), so a transaction that reads and then writes, such as an idempotent
 * {@link #enqueue} or a {@link #claim}, is never interleaved with another writer, in this process or another.
 *
 * <p>Durability: {@link #enqueue} returns once its transaction is committed; concurrent enqueues share one
 * transaction ({@link GroupCommit}), so accepting many jobs at once costs one commit per batch, not per job. The database runs in WAL mode with
 * {@code synchronous=NORMAL}: a commit is written to the WAL (handed to the operating system) before it returns, and
 * the WAL is fsynced only at checkpoints. A committed job therefore survives a crash or {@code kill -9} of the
 * process, which is what the contract promises for a 202; a power loss or kernel crash may lose the last commits
 * before it (never the file). {@code synchronous=FULL} would add one fsync per commit and cover a power loss too; the
 * accept path does not need it for the contract, and if it is ever wanted it should come with commits batched across
 * concurrent enqueues (group commit), since an fsync per 202 would cap accepting at the disk's sync rate. The pragma
 * belongs to the shared connection and is left as the database sets it.
 */
public final class SqliteJobRepository implements JobRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, List<String>>> HEADERS = new TypeReference<>() {
    };

    private static final String COLUMNS = "id, function_name, function_id, version, ran_version, status, attempts, max_retries,"
            + " retry_delay_ms, max_age_ms, created_at, age_from, next_attempt_at, started_at, finished_at,"
            + " lease_owner, lease_until, request_method, request_path, request_query, request_headers, request_body,"
            + " result_status, result_headers, result_body, error_code, error_message, logs, duration_ms,"
            + " init_duration_ms, cold_start, max_memory_bytes, outcome, callback_url, callback_attempts,"
            + " callback_next_at, callback_done, idempotency_key";

    private static final String INSERT = "INSERT INTO jobs (id, function_name, function_id, version, status,"
            + " attempts, max_retries, retry_delay_ms, max_age_ms, created_at, age_from, next_attempt_at,"
            + " request_method, request_path, request_query, request_headers, request_body, callback_url,"
            + " idempotency_key) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** A running job held by the lease owner: the guard of every change a worker makes to an attempt. */
    private static final String HELD = " WHERE id = ? AND status = 'running' AND lease_owner = ?";
    /** A job leased to the owner, running or waiting in its engine for capacity (queued). */
    private static final String LEASED = " WHERE id = ? AND status IN ('running', 'queued') AND lease_owner = ?";

    /** The columns a job's end sets besides its status: the callback, if any, becomes due. */
    private static final String ENDED = "finished_at = ?1, lease_owner = NULL, lease_until = NULL,"
            + " callback_next_at = CASE WHEN callback_url IS NOT NULL AND callback_done = 0 THEN ?1 END";

    /** How many jobs {@link #deleteFinishedBefore} deletes per statement. */
    static final int DELETE_CHUNK = 500;

    /** Most jobs one enqueue (or completion) transaction holds. */
    static final int ENQUEUE_BATCH = 256;

    private final SqliteDatabase db;
    private final GroupCommit<Enqueue, Job> enqueues;
    private final GroupCommit<Completion, Boolean> completions;

    public SqliteJobRepository(SqliteDatabase db) {
        this.db = Objects.requireNonNull(db, "db");
        this.enqueues = new GroupCommit<>(db, "queue jobs", ENQUEUE_BATCH, SqliteJobRepository::insert);
        this.completions = new GroupCommit<>(db, "complete jobs", ENQUEUE_BATCH, SqliteJobRepository::complete);
    }

    @Override
    public Job enqueue(NewJob job, Duration idempotencyWindow) {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
        return enqueues.submit(new Enqueue(job, idempotencyWindow));
    }

    private record Enqueue(NewJob job, Duration idempotencyWindow) {
    }

    /** One job's insert (or its earlier twin by idempotency key), inside a group commit's transaction. */
    private static Job insert(Connection c, Enqueue enqueue) throws SQLException {
        NewJob job = enqueue.job();
        if (job.idempotencyKey() != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs"
                    + " WHERE function_name = ? AND idempotency_key = ? AND created_at > ? AND function_id = ?"
                    + " ORDER BY created_at, id LIMIT 1")) {
                ps.setString(1, job.functionName());
                ps.setString(2, job.idempotencyKey());
                ps.setLong(3, job.createdAt().minus(enqueue.idempotencyWindow()).toEpochMilli());
                ps.setString(4, job.functionId());
                List<Job> earlier = read(ps);
                if (!earlier.isEmpty()) {
                    return earlier.getFirst();
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            long created = job.createdAt().toEpochMilli();
            JobRequest request = job.request();
            ps.setString(1, job.id());
            ps.setString(2, job.functionName());
            ps.setString(3, job.functionId());
            setNullableLong(ps, 4, job.version() == null ? null : job.version().longValue());
            ps.setInt(5, job.policy().retries());
            ps.setLong(6, job.policy().retryDelay().toMillis());
            ps.setLong(7, job.policy().maxAge().toMillis());
            ps.setLong(8, created);
            ps.setLong(9, created);
            ps.setLong(10, created);
            ps.setString(11, request.method());
            ps.setString(12, request.path());
            ps.setString(13, request.query());
            ps.setString(14, toJson(request.headers()));
            ps.setBytes(15, request.body());
            ps.setString(16, job.callbackUrl());
            ps.setString(17, job.idempotencyKey());
            ps.executeUpdate();
        }
        // As stored, without reading it back: what a new job holds is all in hand.
        Instant created = job.createdAt();
        return new Job(job.id(), job.functionName(), job.functionId(), job.version(), null, JobStatus.QUEUED, 0,
                job.policy(), created, created, created, null, null, null, null, job.request(), null, null, null,
                null, job.callbackUrl() == null ? null : new JobCallback(job.callbackUrl(), 0, null, false),
                job.idempotencyKey());
    }

    /**
     * One {@code UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING}, in a transaction that holds the write lock from
     * its start: no other claim can see the same jobs as queued. PostgreSQL: the inner select gets
     * {@code FOR UPDATE SKIP LOCKED}.
     */
    @Override
    public List<Job> claim(String owner, Instant now, Duration leaseDuration, int limit) {
        Objects.requireNonNull(owner, "owner");
        if (limit <= 0) {
            return List.of();
        }
        return db.inTransaction("claim up to " + limit + " jobs for " + owner, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET status = 'running',"
                    + " attempts = attempts + 1, started_at = ?1, lease_owner = ?2, lease_until = ?3"
                    + " WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND next_attempt_at <= ?1"
                    + " AND age_from + max_age_ms > ?1 AND lease_owner IS NULL"
                    + " ORDER BY next_attempt_at, created_at, id LIMIT ?4) RETURNING " + COLUMNS)) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, owner);
                ps.setLong(3, now.plus(leaseDuration).toEpochMilli());
                ps.setInt(4, limit);
                List<Job> claimed = read(ps);
                // RETURNING gives no order: put them back in the order they were chosen
                claimed.sort(Comparator.comparing(Job::nextAttemptAt).thenComparing(Job::createdAt)
                        .thenComparing(Job::id));
                return claimed;
            }
        });
    }

    @Override
    public boolean renew(String id, String owner, Instant until) {
        return update("renew the lease of job " + id, "UPDATE jobs SET lease_until = ?" + LEASED, ps -> {
            ps.setLong(1, until.toEpochMilli());
            ps.setString(2, id);
            ps.setString(3, owner);
        }) > 0;
    }

    @Override
    public boolean waitForCapacity(String id, String owner) {
        return update("mark job " + id + " as waiting for capacity", "UPDATE jobs SET status = 'queued',"
                + " attempts = attempts - 1, started_at = CASE WHEN attempts > 1 THEN started_at END" + HELD, ps -> {
            ps.setString(1, id);
            ps.setString(2, owner);
        }) > 0;
    }

    @Override
    public boolean startWaiting(String id, String owner, Instant now) {
        return update("start job " + id + " now that capacity came", "UPDATE jobs SET status = 'running',"
                + " attempts = attempts + 1, started_at = ? WHERE id = ? AND status = 'queued' AND lease_owner = ?",
                ps -> {
                    ps.setLong(1, now.toEpochMilli());
                    ps.setString(2, id);
                    ps.setString(3, owner);
                }) > 0;
    }

    @Override
    public boolean complete(String id, String owner, JobOutcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        return completions.submit(new Completion(id, owner, outcome));
    }

    private record Completion(String id, String owner, JobOutcome outcome) {
    }

    /** One job's end, inside a group commit's transaction: attempts ending together share a commit. */
    private static boolean complete(Connection c, Completion completion) throws SQLException {
        JobOutcome outcome = completion.outcome();
        JobResult result = outcome.result();
        JobError error = outcome.error();
        JobReport report = outcome.report();
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET " + ENDED + ", status = ?2,"
                + " result_status = ?3, result_headers = ?4, result_body = ?5, error_code = ?6, error_message = ?7,"
                + " logs = ?8, duration_ms = ?9, init_duration_ms = ?10, cold_start = ?11, max_memory_bytes = ?12,"
                + " outcome = ?13, ran_version = ?16 WHERE id = ?14 AND status = 'running' AND lease_owner = ?15")) {
            ps.setLong(1, outcome.finishedAt().toEpochMilli());
            ps.setString(2, outcome.status().dbName());
            setNullableLong(ps, 3, result == null ? null : (long) result.statusCode());
            ps.setString(4, result == null ? null : toJson(result.headers()));
            if (result == null) {
                ps.setNull(5, Types.BLOB);
            } else {
                ps.setBytes(5, result.body());
            }
            ps.setString(6, error == null ? null : error.code());
            ps.setString(7, error == null ? null : error.message());
            ps.setString(8, outcome.logs());
            setNullableLong(ps, 9, report == null ? null : report.durationMs());
            setNullableLong(ps, 10, report == null ? null : report.initDurationMs());
            setNullableLong(ps, 11, report == null ? null : report.coldStart() ? 1L : 0L);
            setNullableLong(ps, 12, report == null ? null : report.maxMemoryBytes());
            ps.setString(13, report == null ? null : report.outcome());
            ps.setString(14, completion.id());
            ps.setString(15, completion.owner());
            setNullableLong(ps, 16, outcome.version() == null ? null : outcome.version().longValue());
            return ps.executeUpdate() > 0;
        }
    }

    @Override
    public boolean requeue(String id, String owner, Instant nextAttemptAt, boolean countAttempt, Integer lastVersion,
                           JobError lastError, String lastLogs, JobReport lastReport) {
        return update("queue job " + id + " again", "UPDATE jobs SET status = 'queued', next_attempt_at = ?,"
                + " lease_owner = NULL, lease_until = NULL,"
                + " attempts = attempts - CASE WHEN status = 'running' THEN ? ELSE 0 END,"
                + " ran_version = coalesce(?, ran_version),"
                + " error_code = coalesce(?, error_code), error_message = coalesce(?, error_message),"
                + " logs = coalesce(?, logs), duration_ms = coalesce(?, duration_ms),"
                + " init_duration_ms = coalesce(?, init_duration_ms), cold_start = coalesce(?, cold_start),"
                + " max_memory_bytes = CASE WHEN ? THEN ? ELSE max_memory_bytes END, outcome = coalesce(?, outcome)"
                + LEASED, ps -> {
            ps.setLong(1, nextAttemptAt.toEpochMilli());
            ps.setInt(2, countAttempt ? 0 : 1);
            setNullableLong(ps, 3, lastVersion == null ? null : lastVersion.longValue());
            ps.setString(4, lastError == null ? null : lastError.code());
            ps.setString(5, lastError == null ? null : lastError.message());
            ps.setString(6, lastLogs);
            setNullableLong(ps, 7, lastReport == null ? null : lastReport.durationMs());
            setNullableLong(ps, 8, lastReport == null ? null : lastReport.initDurationMs());
            setNullableLong(ps, 9, lastReport == null ? null : lastReport.coldStart() ? 1L : 0L);
            ps.setBoolean(10, lastReport != null);
            setNullableLong(ps, 11, lastReport == null ? null : lastReport.maxMemoryBytes());
            ps.setString(12, lastReport == null ? null : lastReport.outcome());
            ps.setString(13, id);
            ps.setString(14, owner);
        }) > 0;
    }

    @Override
    public boolean expire(String id, String owner, Instant now, JobError error) {
        Objects.requireNonNull(error, "error");
        return update("expire job " + id, "UPDATE jobs SET " + ENDED + ", status = 'expired', attempts = attempts - 1,"
                + " error_code = ?2,"
                + " error_message = ?3 WHERE id = ?4 AND status = 'running' AND lease_owner = ?5", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, error.code());
            ps.setString(3, error.message());
            ps.setString(4, id);
            ps.setString(5, owner);
        }) > 0;
    }

    @Override
    public List<String> expireOverdue(Instant now, JobError error) {
        Objects.requireNonNull(error, "error");
        return db.inTransaction("expire the queued jobs past their age", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET " + ENDED + ", status = 'expired',"
                    + " error_code = ?2, error_message = ?3"
                    + " WHERE status = 'queued' AND age_from + max_age_ms <= ?1 RETURNING id")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, error.code());
                ps.setString(3, error.message());
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public boolean cancelRunning(String id, String owner, Instant now, JobError error) {
        Objects.requireNonNull(error, "error");
        return update("cancel running job " + id, "UPDATE jobs SET status = 'cancelled', finished_at = ?,"
                + " attempts = attempts - 1, lease_owner = NULL, lease_until = NULL, error_code = ?,"
                + " error_message = ?" + HELD, ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, error.code());
            ps.setString(3, error.message());
            ps.setString(4, id);
            ps.setString(5, owner);
        }) > 0;
    }

    /** A cancelled job makes no callback: the contract calls back when a job succeeds, fails or expires. */
    @Override
    public boolean cancel(String id, Instant now, JobError error) {
        Objects.requireNonNull(error, "error");
        return update("cancel job " + id, "UPDATE jobs SET status = 'cancelled', finished_at = ?,"
                + " lease_owner = NULL, lease_until = NULL,"
                + " error_code = ?, error_message = ? WHERE id = ? AND status = 'queued'", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, error.code());
            ps.setString(3, error.message());
            ps.setString(4, id);
        }) > 0;
    }

    @Override
    public int cancelAllQueued(String functionName, Instant now, JobError error) {
        Objects.requireNonNull(error, "error");
        return update("cancel the queued jobs of function '" + functionName + "'", "UPDATE jobs SET"
                + " status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_until = NULL, error_code = ?,"
                + " error_message = ? WHERE function_name = ? AND status = 'queued'", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, error.code());
            ps.setString(3, error.message());
            ps.setString(4, functionName);
        });
    }

    @Override
    public boolean retry(String id, Instant now, String functionId) {
        return update("retry job " + id, "UPDATE jobs SET status = 'queued', attempts = 0, age_from = ?1,"
                + " function_id = coalesce(?3, function_id),"
                + " next_attempt_at = ?1, started_at = NULL, finished_at = NULL, lease_owner = NULL,"
                + " lease_until = NULL, result_status = NULL, result_headers = NULL, result_body = NULL,"
                + " error_code = NULL, error_message = NULL, logs = NULL, duration_ms = NULL,"
                + " init_duration_ms = NULL, cold_start = NULL, max_memory_bytes = NULL, outcome = NULL,"
                + " callback_attempts = 0, callback_next_at = NULL, callback_done = 0, ran_version = NULL"
                + " WHERE id = ?2 AND status IN ('failed', 'expired', 'cancelled')", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, id);
            ps.setString(3, functionId);
        }) > 0;
    }

    @Override
    public int recoverExpiredLeases(Instant now) {
        return update("recover the jobs whose lease ran out", "UPDATE jobs SET status = 'queued',"
                + " next_attempt_at = ?1, lease_owner = NULL, lease_until = NULL"
                + " WHERE status IN ('running', 'queued') AND lease_until <= ?1",
                ps -> ps.setLong(1, now.toEpochMilli()));
    }

    @Override
    public int recoverLeasesOf(String ownerPrefix, Instant now) {
        Objects.requireNonNull(ownerPrefix, "ownerPrefix");
        return update("recover the jobs of " + ownerPrefix + "*", "UPDATE jobs SET status = 'queued',"
                + " next_attempt_at = ?1, lease_owner = NULL, lease_until = NULL"
                + " WHERE status IN ('running', 'queued') AND substr(lease_owner, 1, length(?2)) = ?2", ps -> {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, ownerPrefix);
        });
    }

    @Override
    public Optional<Job> find(String id) {
        Objects.requireNonNull(id, "id");
        return db.withConnection("read job " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE id = ?")) {
                ps.setString(1, id);
                return read(ps).stream().findFirst();
            }
        });
    }

    /** The query is built for the filters given, so that each can use its index (by function, status, or time). */
    @Override
    public List<Job> list(String functionName, JobStatus status, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        List<String> where = new ArrayList<>();
        List<String> values = new ArrayList<>();
        if (functionName != null) {
            where.add("function_name = ?");
            values.add(functionName);
        }
        if (status != null) {
            where.add("status = ?");
            values.add(status.dbName());
        }
        String sql = "SELECT " + COLUMNS + " FROM jobs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        return db.withConnection("list jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                for (String value : values) {
                    ps.setString(i++, value);
                }
                ps.setInt(i, limit);
                return read(ps);
            }
        });
    }

    /**
     * Walks the queued and the failed jobs of every function by status ({@code +function_name} keeps SQLite from
     * walking all of this function's records instead, most of which are finished).
     */
    @Override
    public JobCounts counts(String functionName) {
        return db.withConnection("count the jobs of function '" + functionName + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT"
                    + " (SELECT count(*) FROM jobs WHERE status = 'queued' AND +function_name = ?1),"
                    + " (SELECT count(*) FROM jobs WHERE status = 'failed' AND +function_name = ?1)")) {
                ps.setString(1, functionName);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new JobCounts(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    /** Counted on the status index alone. */
    @Override
    public long queuedCount() {
        return db.withConnection("count the queued jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jobs WHERE status = 'queued'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** One walk of the queued and failed jobs by status, grouped by function. */
    @Override
    public Map<String, JobCounts> countsByFunction() {
        return db.withConnection("count the jobs of every function", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT function_name, sum(status = 'queued'),"
                    + " sum(status = 'failed') FROM jobs WHERE status IN ('queued', 'failed')"
                    + " GROUP BY function_name");
                 ResultSet rs = ps.executeQuery()) {
                Map<String, JobCounts> counts = new HashMap<>();
                while (rs.next()) {
                    counts.put(rs.getString(1), new JobCounts(rs.getLong(2), rs.getLong(3)));
                }
                return counts;
            }
        });
    }

    /**
     * Deletes in chunks of {@value #DELETE_CHUNK}, each its own statement, so that a large expiry never holds the
     * write lock (and every enqueue and claim behind it) for long. Only ended jobs have a {@code finished_at} (a
     * retried job loses it); the status is checked too, with {@code +status} so that the finish index is used.
     */
    @Override
    public int deleteFinishedBefore(Instant before) {
        int total = 0;
        while (true) {
            int deleted = update("delete the jobs that ended before " + before, "DELETE FROM jobs WHERE id IN"
                    + " (SELECT id FROM jobs WHERE finished_at < ?"
                    + " AND +status IN ('succeeded', 'failed', 'expired', 'cancelled') LIMIT ?)", ps -> {
                ps.setLong(1, before.toEpochMilli());
                ps.setInt(2, DELETE_CHUNK);
            });
            total += deleted;
            if (deleted < DELETE_CHUNK) {
                return total;
            }
        }
    }

    @Override
    public List<Job> dueCallbacks(Instant now, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return db.withConnection("read the callbacks due", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs"
                    + " WHERE callback_next_at IS NOT NULL AND callback_next_at <= ?"
                    + " ORDER BY callback_next_at, id LIMIT ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setInt(2, limit);
                return read(ps);
            }
        });
    }

    @Override
    public boolean callbackAttempted(String id, Instant nextAt) {
        return update("record a callback of job " + id, "UPDATE jobs SET callback_attempts = callback_attempts + 1,"
                + " callback_next_at = ?, callback_done = ?"
                + " WHERE id = ? AND callback_url IS NOT NULL AND callback_done = 0", ps -> {
            setNullableTime(ps, 1, nextAt);
            ps.setInt(2, nextAt == null ? 1 : 0);
            ps.setString(3, id);
        }) > 0;
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private int update(String what, String sql, Binder binder) {
        return db.withConnection(what, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                binder.bind(ps);
                return ps.executeUpdate();
            }
        });
    }

    private static List<Job> read(PreparedStatement ps) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                jobs.add(read(rs));
            }
        }
        return jobs;
    }

    private static Job read(ResultSet rs) throws SQLException {
        Long version = nullableLong(rs, "version");
        Long ranVersion = nullableLong(rs, "ran_version");
        Long resultStatus = nullableLong(rs, "result_status");
        JobResult result = resultStatus == null ? null : new JobResult(resultStatus.intValue(),
                fromJson(rs.getString("result_headers")), rs.getBytes("result_body"));
        String errorCode = rs.getString("error_code");
        JobError error = errorCode == null ? null : new JobError(errorCode, rs.getString("error_message"));
        Long duration = nullableLong(rs, "duration_ms");
        JobReport report = duration == null ? null : new JobReport(duration, rs.getLong("init_duration_ms"),
                rs.getLong("cold_start") != 0, nullableLong(rs, "max_memory_bytes"), rs.getString("outcome"));
        String callbackUrl = rs.getString("callback_url");
        JobCallback callback = callbackUrl == null ? null : new JobCallback(callbackUrl,
                rs.getInt("callback_attempts"), nullableTime(rs, "callback_next_at"), rs.getInt("callback_done") != 0);
        return new Job(rs.getString("id"), rs.getString("function_name"), rs.getString("function_id"),
                version == null ? null : version.intValue(), ranVersion == null ? null : ranVersion.intValue(),
                JobStatus.fromDbName(rs.getString("status")),
                rs.getInt("attempts"),
                new AsyncPolicy(rs.getInt("max_retries"), Duration.ofMillis(rs.getLong("retry_delay_ms")),
                        Duration.ofMillis(rs.getLong("max_age_ms"))),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("age_from")),
                Instant.ofEpochMilli(rs.getLong("next_attempt_at")), nullableTime(rs, "started_at"),
                nullableTime(rs, "finished_at"), rs.getString("lease_owner"), nullableTime(rs, "lease_until"),
                new JobRequest(rs.getString("request_method"), rs.getString("request_path"),
                        rs.getString("request_query"), fromJson(rs.getString("request_headers")),
                        rs.getBytes("request_body")),
                result, error, rs.getString("logs"), report, callback, rs.getString("idempotency_key"));
    }

    private static String toJson(Map<String, List<String>> headers) throws SQLException {
        try {
            return JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot write headers as JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, List<String>> fromJson(String json) throws SQLException {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, HEADERS);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored headers are not valid JSON: " + e.getMessage(), e);
        }
    }
}

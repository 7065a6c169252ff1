package io.glambdar.store.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable queue of asynchronous invocations (SQLite today; PostgreSQL later, where {@link #claim} is a
 * {@code SELECT … FOR UPDATE SKIP LOCKED} and the rest are single-row updates guarded by their {@code WHERE}).
 *
 * <p>A job moves {@code queued → running} by {@link #claim} (which takes a lease), then {@code running →}
 * {@code succeeded | failed} by {@link #complete}, back to {@code queued} by {@link #requeue} (a retry, or no
 * capacity), or to {@code expired} by {@link #expire}. A worker that dies leaves its lease to run out;
 * {@link #recoverExpiredLeases} then queues its jobs again. Every change of a running job names the lease owner, so a
 * worker whose lease was taken from it changes nothing. Times are passed in, never read from a clock here, and are
 * kept to the millisecond.
 *
 * <p>Every method may be called from any thread and from several processes (nodes) at once, and returns only once its
 * change is committed. Failures of the storage are {@link io.glambdar.store.metadata.MetadataException}s.
 */
public interface JobRepository {

    /**
     * Stores a new queued job, due at once, committed before this returns. With an idempotency key, a job of the same
     * function (the same life of it: a function deleted and deployed again under its name is another) with that key
     * created less than {@code idempotencyWindow} before {@code job.createdAt()} is returned instead and nothing is
     * stored; the check and the insert are one atomic step, so any number of
     * concurrent enqueues with one key store one job.
     *
     * @return the job stored, or the earlier one with the same key (compare its id with {@code job.id()})
     */
    Job enqueue(NewJob job, Duration idempotencyWindow);

    /**
     * Takes up to {@code limit} queued jobs due at {@code now}, not past their age (those are left to
     * {@link #expireOverdue}) and not leased (waiting for capacity, {@link #waitForCapacity}), those due longest
     * first: each becomes running with
     * one more attempt, started at {@code now}, leased to {@code owner} until {@code now + leaseDuration}. Two
     * claims, in any processes, never take the same job.
     *
     * @return the jobs taken, as they are now, in the order they were due
     */
    List<Job> claim(String owner, Instant now, Duration leaseDuration, int limit);

    /**
     * Extends the lease of a job running, or waiting for capacity, under {@code owner}. @return false when it is
     * neither
     */
    boolean renew(String id, String owner, Instant until);

    /**
     * A claimed job found no capacity and waits for it in the owner's engine: it is queued again, its attempt given
     * back, but stays leased to {@code owner}, so that no claim takes it meanwhile. It shows, counts and can be
     * cancelled as any queued job; a cancel (or its function's deletion, or its expiry) ends its lease.
     *
     * @return false when the job is not running under {@code owner}: nothing changed
     */
    boolean waitForCapacity(String id, String owner);

    /**
     * A job waiting for capacity ({@link #waitForCapacity}) got it: running again, with one more attempt, started at
     * {@code now}.
     *
     * @return false when it is no longer queued under {@code owner} (cancelled, expired, or its lease recovered):
     *         it must not run
     */
    boolean startWaiting(String id, String owner, Instant now);

    /**
     * Ends a running job as succeeded or failed, with its result, error, logs and report; its callback, if any,
     * becomes due at the outcome's finish time.
     *
     * @return false when the job is not running under {@code owner}: nothing changed
     */
    boolean complete(String id, String owner, JobOutcome outcome);

    /**
     * Puts a running job back in the queue, due at {@code nextAttemptAt}: a retry after a failed attempt
     * ({@code countAttempt} true), or an attempt that never ran for want of capacity (false: its attempt is given
     * back). A job waiting for capacity ({@link #waitForCapacity}; its attempt already given back) is let go the
     * same way. The last attempt's version, error, logs and report, where given (not null), are kept so that the record
     * says which version it ran on, why it is waiting and what the attempt printed.
     *
     * @param lastVersion the version the attempt ran on; null when it never ran (the last one's is kept)
     * @return false when the job is neither running nor waiting under {@code owner}
     */
    boolean requeue(String id, String owner, Instant nextAttemptAt, boolean countAttempt, Integer lastVersion,
                    JobError lastError, String lastLogs, JobReport lastReport);

    /**
     * Ends a running job as expired (it outlived its maximum age before its claimed attempt could start, so that attempt
     * is given back); its callback becomes due at {@code now}.
     *
     * @return false when the job is not running under {@code owner}
     */
    boolean expire(String id, String owner, Instant now, JobError error);

    /**
     * Ends as expired every queued job whose age ({@link Job#expiresAt()}) ran out by {@code now}, such as one
     * waiting for a retry due after it; their callbacks become due at {@code now}.
     *
     * @return the ids of the jobs expired
     */
    List<String> expireOverdue(Instant now, JobError error);

    /**
     * Ends a running job as cancelled: its function was deleted before the attempt could run, so that attempt is
     * given back. No callback is made.
     *
     * @return false when the job is not running under {@code owner}
     */
    boolean cancelRunning(String id, String owner, Instant now, JobError error);

    /**
     * Cancels a queued job, with {@code error} saying who did. @return false when the job is unknown or not queued:
     * nothing changed
     */
    boolean cancel(String id, Instant now, JobError error);

    /**
     * Cancels every queued job of a function (being deleted), with {@code error} saying why; running ones are left
     * to finish. @return how many
     */
    int cancelAllQueued(String functionName, Instant now, JobError error);

    /**
     * Queues a failed, expired or cancelled job again, due at {@code now}: no attempts, its age counted from
     * {@code now}, its last result, error, report and logs forgotten, its callback (if any) to be made again. With a
     * {@code functionId} (not null) it runs for that life of its function: one deployed again after the job's was
     * deleted.
     *
     * @return false when the job is unknown or not failed, expired or cancelled: nothing changed
     */
    boolean retry(String id, Instant now, String functionId);

    /**
     * Queues again, due at {@code now}, every running job whose lease ran out by {@code now} (its worker died or
     * stalled), and lets go of every job waiting for capacity whose lease ran out. Attempts are kept, so the next
     * claim of one that was running makes it attempt + 1. @return how many
     */
    int recoverExpiredLeases(Instant now);

    /**
     * Queues again, due at {@code now}, every running or waiting job leased to an owner whose name starts with
     * {@code ownerPrefix}: at start-up, the jobs of this node's previous process, which died without finishing them
     * (their leases would otherwise hold them until they ran out). Attempts are kept. @return how many
     */
    int recoverLeasesOf(String ownerPrefix, Instant now);

    Optional<Job> find(String id);

    /**
     * Jobs newest first.
     *
     * @param functionName null for every function
     * @param status       null for every status
     */
    List<Job> list(String functionName, JobStatus status, int limit);

    /** The function's queued and failed jobs (of any of its lives). */
    JobCounts counts(String functionName);

    /**
     * The jobs queued now, of every function (those waiting for a retry included): the metrics' async queue depth,
     * read at every scrape, so one cheap count.
     */
    long queuedCount();

    /** {@link #counts} of every function with a queued or failed job, in one read ({@code GET /info}). */
    Map<String, JobCounts> countsByFunction();

    /** Deletes the jobs that ended before {@code before} (retention); queued and running ones stay. @return how many */
    int deleteFinishedBefore(Instant before);

    /** Ended jobs whose callback is due at {@code now}, longest due first. */
    List<Job> dueCallbacks(Instant now, int limit);

    /**
     * Records one attempt at a job's callback: due again at {@code nextAt}, or done (delivered or given up) when
     * {@code nextAt} is null. @return false when the job is unknown or its callback was done already
     */
    boolean callbackAttempted(String id, Instant nextAt);
}

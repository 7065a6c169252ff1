package io.glambdar.usecase.async;

import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.usecase.InvokeFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs the queued asynchronous invocations: claims due jobs (leased to this process) while fewer than
 * {@link Settings#concurrency()} of its attempts are in the engine, runs each on a virtual thread, renews the leases of
 * those it holds, and keeps the queue tidy — jobs of dead workers queued again, jobs past their age expired, old
 * records deleted.
 *
 * <p>A slot is the engine's: it is free again once the engine is done with an attempt, while the attempt's end is
 * still being written, so that a commit (shared with other attempts ending, and waiting its turn for the database)
 * never keeps a slot idle. The jobs held — in the engine or being recorded — are bounded at twice the concurrency,
 * so a slow database holds back claiming rather than piling up ended attempts.
 *
 * <p>The owner name is {@code <node>/<random>}, new for each process: at start, jobs still leased to an earlier process
 * of this node (which died, or this one would not be starting) are queued again at once rather than when their leases
 * run out.
 */
public final class JobDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);
    /** The most jobs one claim takes. */
    static final int CLAIM_BATCH = 64;
    /**
     * When nearly every slot is taken, how long to let a few more attempts end before claiming, so that one claim (a
     * write transaction) takes several jobs rather than one per attempt ended.
     */
    static final Duration CLAIM_GATHER = Duration.ofMillis(2);
    /** Bounds of {@link #retentionSweep}. */
    static final Duration MIN_RETENTION_SWEEP = Duration.ofSeconds(1);
    static final Duration MAX_RETENTION_SWEEP = Duration.ofMinutes(1);

    /**
     * @param concurrency at most this many attempts at once (GLAMBDAR_ASYNC_CONCURRENCY), so that async work never
     *                    takes the last of the capacity from synchronous invocations
     * @param lease       how long a claim holds a job before another worker may take it (renewed while it runs)
     * @param idlePoll    how often an idle dispatcher looks for jobs come due (new jobs wake it at once)
     * @param maintenance how often dead workers' jobs are recovered and overdue ones expired
     * @param retention   how long ended jobs are kept (GLAMBDAR_ASYNC_RETENTION_HOURS)
     */
    public record Settings(int concurrency, Duration lease, Duration idlePoll, Duration maintenance,
                           Duration retention) {
        public Settings {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
        }
    }

    private final JobRepository jobs;
    private final JobAttempt attempt;
    private final Settings settings;
    private final Clock clock;
    private final String nodePrefix;
    private final String owner;
    /** Below this many free slots (while attempts run), gather a few more before claiming. */
    private final int claimFloor;
    /** Jobs leased to this process and not yet recorded: their leases are renewed. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Of those, the jobs whose attempt is in the engine: the slots taken. */
    private final Set<String> inEngine = ConcurrentHashMap.newKeySet();
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    /** Shows a long wait for capacity as queued (see {@link CapacityWait}). */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("glambdar-capacity-waits").daemon().factory());
    private final Wakeup wakeup = new Wakeup();
    private volatile boolean stopping;
    private Thread loop;
    private Instant nextMaintenance = Instant.MIN;
    private Instant nextRenewal = Instant.MIN;
    private Instant nextRetention = Instant.MIN;

    /**
     * @param node     this node's name: jobs leased by its earlier processes are recovered at start
     * @param attempts told how each attempt that reached its function ended
     */
    public JobDispatcher(JobRepository jobs, FunctionCatalog catalog, InvokeFunction invokeFunction,
                         Settings settings, Clock clock, String node, AttemptListener attempts) {
        this.jobs = jobs;
        this.attempt = new JobAttempt(catalog, invokeFunction, jobs,
                new RetryDelay(() -> ThreadLocalRandom.current().nextDouble()), clock, attempts, Delay.on(timer));
        this.settings = settings;
        this.clock = clock;
        this.nodePrefix = node + "/";
        this.owner = nodePrefix + UUID.randomUUID();
        this.claimFloor = Math.max(1, Math.min(CLAIM_BATCH, settings.concurrency() / 4));
    }

    /** Recovers the jobs an earlier process of this node left running, then starts dispatching. */
    public void start() {
        int recovered = jobs.recoverLeasesOf(nodePrefix, now());
        if (recovered > 0) {
            log.info("{} asynchronous invocations were running when the server last stopped; they run again",
                    recovered);
        }
        loop = Thread.ofPlatform().name("job-dispatcher").daemon().start(this::dispatch);
    }

    /** A job was queued: look for it now rather than at the next poll. */
    public void wake() {
        wakeup.wake();
    }

    /** Attempts in the engine right now, in this process. */
    public int running() {
        return inEngine.size();
    }

    /** Jobs this process holds now: attempts in the engine, and ended ones whose end is being recorded. */
    int held() {
        return held.size();
    }

    /** How many jobs to claim now: a free slot each, within the bound on jobs held. */
    private int claimable() {
        return Math.min(settings.concurrency() - inEngine.size(), 2 * settings.concurrency() - held.size());
    }

    private void dispatch() {
        while (!stopping) {
            try {
                Instant now = now();
                maintain(now);
                int free = claimable();
                if (free > 0 && free < claimFloor && !inEngine.isEmpty()) {
                    Thread.sleep(CLAIM_GATHER);
                    free = claimable();
                }
                List<Job> claimed = free > 0
                        ? jobs.claim(owner, now, settings.lease(), Math.min(free, CLAIM_BATCH)) : List.of();
                for (Job job : claimed) {
                    held.add(job.id());
                    inEngine.add(job.id());
                    attempts.execute(() -> runAttempt(job));
                }
                if (claimed.isEmpty() || claimed.size() == free) {
                    // Nothing due, or no slot left: wait for a new job, a free slot, or the next poll.
                    await(settings.idlePoll());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    return;
                }
                log.warn("The asynchronous queue could not be read ({}); trying again in {}", e.toString(),
                        settings.idlePoll());
                await(settings.idlePoll());
            }
        }
    }

    private void runAttempt(Job job) {
        try {
            attempt.run(job, owner, () -> leaveEngine(job.id()));
        } catch (RuntimeException e) {
            // The job stays leased; once the lease runs out it is queued again (attempt + 1).
            log.warn("Asynchronous invocation {} of '{}': its attempt could not be recorded: {}", job.id(),
                    job.functionName(), e.toString());
        } finally {
            inEngine.remove(job.id());
            held.remove(job.id());
            wake();
        }
    }

    /** The engine is done with the job's attempt: its slot is free, though its end is still to be recorded. */
    private void leaveEngine(String id) {
        if (inEngine.remove(id)) {
            wake();
        }
    }

    private void maintain(Instant now) {
        if (!now.isBefore(nextRenewal)) {
            Instant until = now.plus(settings.lease());
            for (String id : held) {
                jobs.renew(id, owner, until);
            }
            nextRenewal = now.plus(settings.lease().dividedBy(3));
        }
        if (!now.isBefore(nextMaintenance)) {
            jobs.recoverExpiredLeases(now);
            jobs.expireOverdue(now, JobAttempt.OVERDUE);
            nextMaintenance = now.plus(settings.maintenance());
        }
        if (!now.isBefore(nextRetention)) {
            int deleted = jobs.deleteFinishedBefore(now.minus(settings.retention()));
            if (deleted > 0) {
                log.info("Deleted {} asynchronous invocation records older than {}", deleted, settings.retention());
            }
            nextRetention = now.plus(retentionSweep(settings.retention()));
        }
    }

    /**
     * How often records past their retention are deleted: a hundredth of it, between 1 s and 1 min, so that a record
     * outlives its retention by at most that (1 min of a week, 1 s of a short retention such as 36 s).
     */
    static Duration retentionSweep(Duration retention) {
        Duration sweep = retention.dividedBy(100);
        if (sweep.compareTo(MIN_RETENTION_SWEEP) < 0) {
            return MIN_RETENTION_SWEEP;
        }
        return sweep.compareTo(MAX_RETENTION_SWEEP) > 0 ? MAX_RETENTION_SWEEP : sweep;
    }

    private void await(Duration timeout) {
        if (!stopping && !wakeup.await(timeout)) {
            stopping = true;
        }
    }

    /**
     * Stops claiming (attempts running go on: the engine's drain bounds them). Call {@link #close()} once the engine
     * has closed.
     */
    public void stopClaiming() {
        stopping = true;
        wake();
        if (loop != null) {
            try {
                loop.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits (bounded) for the attempts still running to record how they ended: once the engine has closed they
     * return at once, those cut off queued again without spending an attempt.
     */
    @Override
    public void close() {
        stopClaiming();
        attempts.shutdown();
        try {
            if (!attempts.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("{} asynchronous attempts still running at shutdown; they run again after the restart",
                        held.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}

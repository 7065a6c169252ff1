package io.glambdar.usecase.async;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.store.jobs.JobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * One claimed attempt's wait for capacity in the engine (its function at its {@code concurrency}, or the server's
 * memory fully reserved): meanwhile the job is queued again (still leased), so that it shows as queued, counts in
 * {@code asyncQueued} and can be cancelled; once capacity comes it runs only if it is still queued under this lease.
 */
final class CapacityWait implements AdmissionListener {

    private static final Logger log = LoggerFactory.getLogger(CapacityWait.class);

    private final JobRepository jobs;
    private final String id;
    private final String owner;
    private final Clock clock;
    /** Whether the job is queued under this lease now, waiting: its attempt given back until it starts. */
    private volatile boolean waiting;

    CapacityWait(JobRepository jobs, String id, String owner, Clock clock) {
        this.jobs = jobs;
        this.id = id;
        this.owner = owner;
        this.clock = clock;
    }

    @Override
    public void waiting() {
        try {
            waiting = jobs.waitForCapacity(id, owner);
        } catch (RuntimeException e) {
            // It shows as running while it waits: nothing else is wrong.
            log.warn("Asynchronous invocation {} waits for capacity but could not be shown as queued: {}", id,
                    e.toString());
        }
    }

    @Override
    public boolean admitted() {
        return start();
    }

    /**
     * Makes a waiting job running again, its attempt counted: when capacity came, or when its attempt failed before
     * it was admitted (its container could not start). False when it is no longer queued under this lease
     * (cancelled, expired, or recovered), or its start could not be recorded: it must not run, nor be recorded.
     */
    boolean start() {
        if (!waiting) {
            return true;
        }
        try {
            boolean started = jobs.startWaiting(id, owner, clock.instant().truncatedTo(ChronoUnit.MILLIS));
            waiting = false; // running now, or no longer this lease's
            return started;
        } catch (RuntimeException e) {
            // Not run: the job stays queued under this lease, which is let go of when the attempt is recorded, or runs out.
            log.warn("Asynchronous invocation {} got capacity but could not be started: {}", id, e.toString());
            return false;
        }
    }

    /** Whether the job is queued (under this lease) rather than running: its attempt never started. */
    boolean stillWaiting() {
        return waiting;
    }
}

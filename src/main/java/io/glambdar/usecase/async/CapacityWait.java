package io.glambdar.usecase.async;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.store.jobs.JobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * One claimed attempt's wait for capacity in the engine (its function at its {@code concurrency}, or the server's
 * memory fully reserved): once it has waited {@link #SHOW_QUEUED_AFTER}, the job is queued again (still leased), so
 * that it shows as queued, counts in {@code asyncQueued} and can be cancelled; once capacity comes it runs only if it
 * is still queued under this lease.
 */
final class CapacityWait implements AdmissionListener {

    private static final Logger log = LoggerFactory.getLogger(CapacityWait.class);
    /**
     * A wait shorter than this leaves the job shown as running: most waits (a reuse-mode container freed a moment
     * later, in a drain) end sooner, and showing each as queued and then running again would cost two writes per job.
     */
    static final Duration SHOW_QUEUED_AFTER = Duration.ofMillis(100);

    private final JobRepository jobs;
    private final String id;
    private final String owner;
    private final Clock clock;
    private final Delay delay;
    /** Whether the job is queued under this lease now, waiting: its attempt given back until it starts. */
    private boolean waiting;
    /** Admitted, or the attempt ended: it is shown as queued no more. */
    private boolean over;
    private Runnable cancelShowing;

    CapacityWait(JobRepository jobs, String id, String owner, Clock clock, Delay delay) {
        this.jobs = jobs;
        this.id = id;
        this.owner = owner;
        this.clock = clock;
        this.delay = delay;
    }

    @Override
    public void waiting() {
        Runnable cancel = delay.after(SHOW_QUEUED_AFTER, this::showQueued);
        synchronized (this) {
            cancelShowing = cancel;
        }
    }

    private synchronized void showQueued() {
        if (over) {
            return;
        }
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
    synchronized boolean start() {
        end();
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

    /** The attempt is out of the engine (admitted or not): no wait of it is shown as queued from now on. */
    synchronized void end() {
        over = true;
        if (cancelShowing != null) {
            cancelShowing.run();
            cancelShowing = null;
        }
    }

    /** Whether the job is queued (under this lease) rather than running: its attempt never started. */
    synchronized boolean stillWaiting() {
        return waiting;
    }
}

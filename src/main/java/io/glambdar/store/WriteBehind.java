package io.glambdar.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a flush every {@code interval} on a thread of its own, and once more at {@link #close()}: what the hot path
 * keeps in memory (statistics, when keys were last used) reaches the repository behind it. A failed flush is logged
 * and left to the next one, which takes what is still unsaved.
 */
public final class WriteBehind implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WriteBehind.class);

    private final Runnable flush;
    private final String what;
    private final ScheduledExecutorService flusher;

    /**
     * Starts flushing.
     *
     * @param what what is written, for the thread's name and the warning on a failure ("invocation statistics")
     */
    public WriteBehind(String what, Duration interval, Runnable flush) {
        this.flush = flush;
        this.what = what;
        this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "write-behind: " + what);
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void flushQuietly() {
        try {
            flush.run();
        } catch (RuntimeException e) {
            log.warn("Could not save {} (will retry): {}", what, e.getMessage());
        }
    }

    /** Stops the periodic flush and flushes once more. The repository is closed by its owner, afterwards. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}

package io.glambdar.store.stats;

import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.StatsDelta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes statistics behind the invocations: every {@code interval}, the counters that changed go to the repository
 * in one batch, and once more at {@link #close()}. A crash (not a close) loses at most one interval of counts.
 */
public final class StatisticsWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatisticsWriter.class);

    private final FunctionRepository repository;
    private final Supplier<? extends Collection<InvocationCounters>> counters;
    private final ScheduledExecutorService flusher;

    /**
     * Starts flushing.
     *
     * @param counters the counters to write: those of the functions deployed right now (a deleted function's are
     *                 dropped with its row)
     */
    public StatisticsWriter(FunctionRepository repository, Supplier<? extends Collection<InvocationCounters>> counters,
                            Duration interval) {
        this.repository = repository;
        this.counters = counters;
        this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "statistics-writer");
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Writes what changed since the last flush, in one batch. One at a time: each delta is taken, then marked. */
    public synchronized void flush() {
        List<InvocationCounters> changed = new ArrayList<>();
        List<StatsDelta> deltas = new ArrayList<>();
        for (InvocationCounters function : counters.get()) {
            function.pendingDelta().ifPresent(delta -> {
                changed.add(function);
                deltas.add(delta);
            });
        }
        if (!deltas.isEmpty()) {
            repository.applyStats(deltas);
            changed.forEach(InvocationCounters::flushed);
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not save invocation statistics (will retry): {}", e.getMessage());
        }
    }

    /** Stops the periodic flush and writes the last counts. The repository is closed by its owner, afterwards. */
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

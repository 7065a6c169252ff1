package io.glambdar.store.stats;

import io.glambdar.store.WriteBehind;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.StatsDelta;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Writes statistics behind the invocations: every {@code interval}, the counters that changed go to the repository
 * in one batch, and once more at {@link #close()}. A crash (not a close) loses at most one interval of counts.
 */
public final class StatisticsWriter implements AutoCloseable {

    private final FunctionRepository repository;
    private final Supplier<? extends Collection<InvocationCounters>> counters;
    private final WriteBehind writeBehind;

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
        this.writeBehind = new WriteBehind("invocation statistics", interval, this::flush);
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

    /** Stops the periodic flush and writes the last counts. The repository is closed by its owner, afterwards. */
    @Override
    public void close() {
        writeBehind.close();
    }
}

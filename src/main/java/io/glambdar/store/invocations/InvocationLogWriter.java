package io.glambdar.store.invocations;

import io.glambdar.store.WriteBehind;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the functions' recent invocations across restarts: at start it puts back what was saved, then every
 * {@code interval} it writes the invocations added since, in one batch, and once more at {@link #close()}. Written
 * behind rather than with each invocation, which would put a database write on every call's path; a crash (not a
 * close) loses at most one interval of them.
 */
public final class InvocationLogWriter implements AutoCloseable {

    private final InvocationLogRepository repository;
    private final Supplier<? extends Collection<RecentInvocations>> functions;
    private final WriteBehind writeBehind;

    /**
     * Restores each deployed function's saved invocations, then starts flushing.
     *
     * @param functions the recent invocations of the functions deployed right now (a deleted function's records go
     *                  with its row)
     */
    public InvocationLogWriter(InvocationLogRepository repository,
                               Supplier<? extends Collection<RecentInvocations>> functions, Duration interval) {
        this.repository = repository;
        this.functions = functions;
        for (RecentInvocations recent : functions.get()) {
            recent.restore(repository.recent(recent.functionId(), recent.capacity()));
        }
        this.writeBehind = new WriteBehind("recent invocations", interval, this::flush);
    }

    /** Writes what was added since the last flush, in one batch. One at a time: each is taken, then marked. */
    public synchronized void flush() {
        List<InvocationLogRepository.Batch> batches = new ArrayList<>();
        List<Runnable> marks = new ArrayList<>();
        for (RecentInvocations recent : functions.get()) {
            RecentInvocations.Unsaved unsaved = recent.unsaved();
            if (!unsaved.newestFirst().isEmpty()) {
                batches.add(new InvocationLogRepository.Batch(recent.functionName(), recent.functionId(),
                        unsaved.newestFirst()));
                marks.add(() -> recent.saved(unsaved.mark()));
            }
        }
        if (!batches.isEmpty()) {
            repository.save(batches, RecentInvocations.DEFAULT_CAPACITY);
            marks.forEach(Runnable::run);
        }
    }

    /** Stops the periodic flush and writes the last ones. The repository is closed by its owner, afterwards. */
    @Override
    public void close() {
        writeBehind.close();
    }
}

package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;

import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code DELETE /del/:name}: the function and every version of it are gone at once (for new invocations, and its
 * name is free), and so are its invoke keys and queued asynchronous invocations (cancelled); each version's code is deleted once the engine says none of its
 * invocations runs any more.
 */
public final class DeleteFunction {

    private final FunctionCatalog catalog;
    private final Retirement retirement;
    private final InvokeKeys keys;
    private final JobRepository jobs;
    private final Clock clock;
    private final Consumer<String> deleted;

    /**
     * @param retireGrace how long past a version's own timeout to wait for the engine to retire it before its code is
     *                    deleted anyway
     */
    public DeleteFunction(FunctionCatalog catalog, Invoker invoker, InvokeKeys keys, JobRepository jobs, Clock clock,
                          Duration retireGrace) {
        this(catalog, invoker, keys, jobs, clock, retireGrace, name -> {
        });
    }

    /**
     * @param deleted told the name of each function deleted, once it is gone from the catalog (live logs end their
     *                followers' streams); must not block
     */
    public DeleteFunction(FunctionCatalog catalog, Invoker invoker, InvokeKeys keys, JobRepository jobs, Clock clock,
                          Duration retireGrace, Consumer<String> deleted) {
        this.deleted = deleted;
        this.catalog = catalog;
        this.retirement = new Retirement(catalog, invoker, retireGrace);
        this.keys = keys;
        this.jobs = jobs;
        this.clock = clock;
    }

    /**
     * @return completes once the code of every version is deleted
     * @throws FunctionNotFoundException when no function of that name is deployed
     */
    public CompletableFuture<Void> delete(String name) {
        StoredFunction removed = catalog.remove(name);
        deleted.accept(removed.name());
        // The keys died with this life of the function (they never work for a later deploy of the name); this only
        // tidies them away.
        keys.forgetFunction(removed.name());
        // Its queued asynchronous invocations will not run (their records stay, saying why); running ones finish.
        jobs.cancelAllQueued(removed.name(), clock.instant().truncatedTo(ChronoUnit.MILLIS),
                JobError.functionDeleted(removed.name()));
        return retirement.retire(removed.versions().newestFirst());
    }
}

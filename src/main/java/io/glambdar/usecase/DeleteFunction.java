package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code DELETE /del/:name}: the function and every version of it are gone at once (for new invocations, and its
 * name is free), and so are its invoke keys; each version's code is deleted once the engine says none of its
 * invocations runs any more.
 */
public final class DeleteFunction {

    private final FunctionCatalog catalog;
    private final Retirement retirement;
    private final InvokeKeys keys;

    /**
     * @param retireGrace how long past a version's own timeout to wait for the engine to retire it before its code is
     *                    deleted anyway
     */
    public DeleteFunction(FunctionCatalog catalog, Invoker invoker, InvokeKeys keys, Duration retireGrace) {
        this.catalog = catalog;
        this.retirement = new Retirement(catalog, invoker, retireGrace);
        this.keys = keys;
    }

    /**
     * @return completes once the code of every version is deleted
     * @throws FunctionNotFoundException when no function of that name is deployed
     */
    public CompletableFuture<Void> delete(String name) {
        StoredFunction removed = catalog.remove(name);
        // The keys died with this life of the function (they never work for a later deploy of the name); this only
        // tidies them away.
        keys.forgetFunction(removed.name());
        return retirement.retire(removed.versions().newestFirst());
    }
}

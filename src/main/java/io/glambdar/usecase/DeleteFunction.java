package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code DELETE /del/:name}: the function and every version of it are gone at once (for new invocations, and its
 * name is free); each version's code is deleted once the engine says none of its invocations runs any more.
 */
public final class DeleteFunction {

    private final FunctionCatalog catalog;
    private final Retirement retirement;

    /**
     * @param retireGrace how long past a version's own timeout to wait for the engine to retire it before its code is
     *                    deleted anyway
     */
    public DeleteFunction(FunctionCatalog catalog, Invoker invoker, Duration retireGrace) {
        this.catalog = catalog;
        this.retirement = new Retirement(catalog, invoker, retireGrace);
    }

    /**
     * @return completes once the code of every version is deleted
     * @throws FunctionNotFoundException when no function of that name is deployed
     */
    public CompletableFuture<Void> delete(String name) {
        StoredFunction removed = catalog.remove(name);
        return retirement.retire(removed.versions().newestFirst());
    }
}

package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code DELETE /del/:name}: the function is gone at once (for new invocations, and its name is free), and so are its
 * invoke keys; its code is deleted once the engine says none of its invocations runs any more.
 */
public final class DeleteFunction {

    private static final Logger log = LoggerFactory.getLogger(DeleteFunction.class);

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final InvokeKeys keys;
    private final Duration retireGrace;

    /**
     * @param retireGrace how long past the function's own timeout to wait for the engine to retire it before its
     *                    code is deleted anyway
     */
    public DeleteFunction(FunctionCatalog catalog, Invoker invoker, InvokeKeys keys, Duration retireGrace) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.keys = keys;
        this.retireGrace = retireGrace;
    }

    /**
     * @return completes once the function's code is deleted
     * @throws FunctionNotFoundException when no function of that name is deployed
     */
    public CompletableFuture<Void> delete(String name) {
        StoredFunction removed = catalog.remove(name);
        // The keys died with this life of the function (they never work for a later deploy of the name); this only
        // tidies them away.
        keys.forgetFunction(removed.name());
        DeployedFunction fn = EngineFunctions.of(removed.deployment());
        CompletableFuture<Void> retired;
        try {
            retired = invoker.retire(fn);
        } catch (RuntimeException e) {
            log.warn("Could not retire {} (its code is deleted after the fallback wait): {}", name, e.toString());
            retired = new CompletableFuture<>();
        }
        long boundMillis = fn.settings().timeout().plus(retireGrace).toMillis();
        // A copy: the bound is ours, not to be imposed on the engine's own future. Async: deleting a large folder
        // must not hold up the engine thread that completed the retirement.
        return retired.copy().orTimeout(boundMillis, TimeUnit.MILLISECONDS)
                .handleAsync((ignored, error) -> {
                    catalog.discard(removed.deployment());
                    return null;
                });
    }
}

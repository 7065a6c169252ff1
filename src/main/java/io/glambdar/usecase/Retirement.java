package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.Invoker;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Retires versions that are gone (deleted or pruned): the engine stops running them, then their code is deleted. The
 * code waits for the engine, bounded by the version's own timeout plus a grace, so it never vanishes under a running
 * invocation and never outlives a stuck one for long.
 */
final class Retirement {

    private static final Logger log = LoggerFactory.getLogger(Retirement.class);

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final Duration grace;

    Retirement(FunctionCatalog catalog, Invoker invoker, Duration grace) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.grace = grace;
    }

    /** @return completes once the code of every one of them is deleted */
    CompletableFuture<Void> retire(List<Deployment> versions) {
        return CompletableFuture.allOf(versions.stream().map(this::retire).toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> retire(Deployment version) {
        DeployedFunction fn = EngineFunctions.of(version);
        CompletableFuture<Void> retired;
        try {
            retired = invoker.retire(fn);
        } catch (RuntimeException e) {
            log.warn("Could not retire {} version {} (its code is deleted after the fallback wait): {}",
                    version.name(), version.version(), e.toString());
            retired = new CompletableFuture<>();
        }
        long boundMillis = fn.settings().timeout().plus(grace).toMillis();
        // A copy: the bound is ours, not to be imposed on the engine's own future. Async: deleting a large folder
        // must not hold up the engine thread that completed the retirement.
        return retired.copy().orTimeout(boundMillis, TimeUnit.MILLISECONDS)
                .handleAsync((ignored, error) -> {
                    catalog.discard(version);
                    return null;
                });
    }
}

package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.VersionNotFoundException;

import java.time.Duration;

/**
 * {@code POST /rollback/:name}: makes a kept version the active one, lets the engine warm it, and retires the version
 * active before when it is no longer kept (neither among the newest kept ones nor active).
 */
public final class RollbackFunction {

    /** The function and its version active now. */
    public record RolledBack(String function, int active) {
    }

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final Retirement retirement;

    /** @param retireGrace see {@link DeleteFunction}: how long a pruned version's code waits for the engine */
    public RollbackFunction(FunctionCatalog catalog, Invoker invoker, Duration retireGrace) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.retirement = new Retirement(catalog, invoker, retireGrace);
    }

    /**
     * @param version the version to make active; null for the highest kept version below the active one
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when that version is not kept, or there is none below the active one
     */
    public RolledBack rollback(String name, Integer version) {
        FunctionCatalog.Switch change = catalog.rollback(name, version);
        EngineFunctions.warm(invoker, change.active());
        retirement.retire(change.pruned());
        return new RolledBack(change.function().name(), change.active().version());
    }
}

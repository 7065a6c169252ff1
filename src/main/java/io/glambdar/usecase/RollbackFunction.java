package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.VersionNotFoundException;

/** {@code POST /rollback/:name}: makes a kept version the active one, and lets the engine warm it. */
public final class RollbackFunction {

    /** The function and its version active now. */
    public record RolledBack(String function, int active) {
    }

    private final FunctionCatalog catalog;
    private final Invoker invoker;

    public RollbackFunction(FunctionCatalog catalog, Invoker invoker) {
        this.catalog = catalog;
        this.invoker = invoker;
    }

    /**
     * @param version the version to make active; null for the highest kept version below the active one
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when that version is not kept, or there is none below the active one
     */
    public RolledBack rollback(String name, Integer version) {
        FunctionCatalog.Switch change = catalog.rollback(name, version);
        EngineFunctions.warm(invoker, change.active());
        return new RolledBack(change.function().name(), change.active().version());
    }
}

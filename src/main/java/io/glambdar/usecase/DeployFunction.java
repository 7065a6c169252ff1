package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionCatalog;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code POST /deploy} and {@code PUT /deploy/:name}: stores the uploaded code as a new version, then lets the engine
 * prepare a container for it and retire the versions pruned to make room.
 */
public final class DeployFunction {

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final Retirement retirement;

    /** @param retireGrace see {@link DeleteFunction}: how long a pruned version's code waits for the engine */
    public DeployFunction(FunctionCatalog catalog, Invoker invoker, Duration retireGrace) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.retirement = new Retirement(catalog, invoker, retireGrace);
    }

    /**
     * {@code POST /deploy}: a new function from the zip uploaded as {@code uploadFileName}, named after the file.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable, or the name is taken
     */
    public FunctionInfo deploy(String uploadFileName, Path zip) {
        return deployed(catalog.deploy(uploadFileName, zip));
    }

    /**
     * {@code PUT /deploy/:name}: a new version of the function, active at once; or version 1 of a new function.
     * Invocations already running finish on the version they started on.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable
     */
    public FunctionInfo update(String name, Path zip) {
        return deployed(catalog.update(name, zip));
    }

    /** The engine warms the new version and retires the pruned ones; the answer describes the version deployed. */
    private FunctionInfo deployed(FunctionCatalog.Update update) {
        EngineFunctions.warm(invoker, update.deployed());
        retirement.retire(update.pruned());
        return FunctionInfo.of(update.function(), update.deployed(), invoker.containers(update.function().name()),
                null); // a deploy's answer does not count jobs
    }
}

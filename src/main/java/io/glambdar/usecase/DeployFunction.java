package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.StoredFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/** {@code POST /deploy}: stores the uploaded code, then lets the engine prepare a container for it. */
public final class DeployFunction {

    private static final Logger log = LoggerFactory.getLogger(DeployFunction.class);

    private final FunctionCatalog catalog;
    private final Invoker invoker;

    public DeployFunction(FunctionCatalog catalog, Invoker invoker) {
        this.catalog = catalog;
        this.invoker = invoker;
    }

    /**
     * Deploys the zip uploaded as {@code uploadFileName}: the function is named after the file.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable, or the name is taken
     */
    public FunctionInfo deploy(String uploadFileName, Path zip) {
        StoredFunction deployed = catalog.deploy(uploadFileName, zip);
        try {
            invoker.warm(EngineFunctions.of(deployed.deployment()));
        } catch (RuntimeException e) { // warming is an optimisation: the function is deployed either way
            log.warn("Could not warm up {}: {}", deployed.name(), e.toString());
        }
        return FunctionInfo.of(deployed, invoker.containers(deployed.name()));
    }
}

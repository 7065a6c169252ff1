package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.Invoker;
import io.glambdar.store.Deployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A stored version as the engine runs it: the code of that version, with that version's settings. */
final class EngineFunctions {

    private static final Logger log = LoggerFactory.getLogger(EngineFunctions.class);

    private EngineFunctions() {
    }

    static DeployedFunction of(Deployment deployment) {
        return new DeployedFunction(deployment.name(), deployment.deploymentId(), deployment.codeDir(),
                deployment.settings());
    }

    /** Lets the engine start a container for a version that just became active. An optimisation: it may fail. */
    static void warm(Invoker invoker, Deployment version) {
        try {
            invoker.warm(of(version));
        } catch (RuntimeException e) {
            log.warn("Could not warm up {} version {}: {}", version.name(), version.version(), e.toString());
        }
    }
}

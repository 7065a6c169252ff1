package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.store.Deployment;

/** A stored deployment as the engine runs it: the code of that deployment, with that deployment's settings. */
final class EngineFunctions {

    private EngineFunctions() {
    }

    static DeployedFunction of(Deployment deployment) {
        return new DeployedFunction(deployment.name(), deployment.deploymentId(), deployment.codeDir(),
                deployment.settings());
    }
}

package io.glambdar.store;

import io.glambdar.store.invocations.RecentInvocations;
import io.glambdar.store.stats.InvocationCounters;

/**
 * A deployed function as the store holds it in memory: its deployment, its live statistics and its recent
 * invocations. An invocation keeps the object it started with, so one that ends after a delete never counts towards a
 * later deploy of the name.
 */
public final class StoredFunction {

    private final Deployment deployment;
    private final InvocationCounters counters;
    private final RecentInvocations invocations = new RecentInvocations();

    StoredFunction(Deployment deployment, InvocationCounters counters) {
        this.deployment = deployment;
        this.counters = counters;
    }

    public String name() {
        return deployment.name();
    }

    public Deployment deployment() {
        return deployment;
    }

    /**
     * Identifies this life of the function: it changes when the function is deleted and deployed again, never
     * otherwise. Invoke keys are bound to it. For now a function has one deployment per life, so its deployment id
     * serves; with versions it becomes the function's own id.
     */
    public String functionId() {
        return deployment.deploymentId();
    }

    public InvocationCounters counters() {
        return counters;
    }

    public RecentInvocations invocations() {
        return invocations;
    }
}

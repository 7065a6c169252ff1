package io.glambdar.store;

import io.glambdar.store.invocations.RecentInvocations;
import io.glambdar.store.stats.InvocationCounters;

import java.time.Instant;
import java.util.Optional;

/**
 * A deployed function as the store holds it in memory: its kept versions and which is active, its live statistics
 * (across versions) and its recent invocations. An invocation keeps the object it started with, so one that ends after
 * a delete never counts towards a later deploy of the name.
 */
public final class StoredFunction {

    private final String name;
    private final String functionId;
    private final Instant createdAt;
    private final InvocationCounters counters;
    private final RecentInvocations invocations;
    /** Replaced whole (under the catalog's lock on the name), read without a lock. */
    private volatile FunctionVersions versions;

    StoredFunction(String name, String functionId, Instant createdAt, InvocationCounters counters,
                   FunctionVersions versions) {
        this.name = name;
        this.functionId = functionId;
        this.createdAt = createdAt;
        this.counters = counters;
        this.versions = versions;
        this.invocations = new RecentInvocations(name, functionId);
    }

    public String name() {
        return name;
    }

    /**
     * Identifies this life of the name: a delete and a new deploy of the name make a new one; new versions and
     * rollbacks keep it. Invoke keys and statistics are bound to it.
     */
    public String functionId() {
        return functionId;
    }

    /** When its first version was deployed. */
    public Instant createdAt() {
        return createdAt;
    }

    /** The version {@code /invoke/:name} runs now. */
    public Deployment active() {
        return versions.activeDeployment();
    }

    /** A kept version, if it is one. */
    public Optional<Deployment> version(int version) {
        return Optional.ofNullable(versions.kept().get(version));
    }

    /** Its kept versions and which is active, read together. */
    public FunctionVersions versions() {
        return versions;
    }

    public InvocationCounters counters() {
        return counters;
    }

    public RecentInvocations invocations() {
        return invocations;
    }

    void replaceVersions(FunctionVersions newVersions) {
        this.versions = newVersions;
    }
}

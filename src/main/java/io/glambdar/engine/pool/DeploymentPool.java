package io.glambdar.engine.pool;

import io.glambdar.engine.DeployedFunction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The containers of one deployment of one function, and what the pool remembers about it between invocations: how
 * often it is called and whether it was retired. Counts are never kept: they are read off the containers' states.
 * Everything here runs under the pool's lock.
 */
final class DeploymentPool {

    enum Mode {
        /** Each container serves exactly one invocation; warm ones are started ahead of demand. */
        SINGLE_USE,
        /** A container serves invocations one after another, until it fails, is used up or idles too long. */
        REUSE
    }

    private final DeployedFunction function;
    private final Mode mode;
    private final ArrivalRate arrivals = new ArrivalRate();
    /** Every container of this deployment that is not GONE. */
    private final List<FunctionContainer> containers = new ArrayList<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private long lastUsedNanos;
    private boolean retired;
    private long retiredAtNanos;
    /** The last start failed: start no warm containers until one succeeds (an invocation still may). */
    private boolean startFailing;

    DeploymentPool(DeployedFunction function, Mode mode, long nowNanos) {
        this.function = function;
        this.mode = mode;
        this.lastUsedNanos = nowNanos;
    }

    DeployedFunction function() {
        return function;
    }

    String name() {
        return function.name();
    }

    Mode mode() {
        return mode;
    }

    ArrivalRate arrivals() {
        return arrivals;
    }

    List<FunctionContainer> containers() {
        return containers;
    }

    void used(long nowNanos) {
        lastUsedNanos = nowNanos;
    }

    long idleForNanos(long nowNanos) {
        return nowNanos - lastUsedNanos;
    }

    boolean retired() {
        return retired;
    }

    long retiredForNanos(long nowNanos) {
        return nowNanos - retiredAtNanos;
    }

    void retire(long nowNanos) {
        retired = true;
        retiredAtNanos = nowNanos;
    }

    boolean startFailing() {
        return startFailing;
    }

    void startFailing(boolean failing) {
        startFailing = failing;
    }

    CompletableFuture<Void> drained() {
        return drained;
    }

    // The loops below run on every invocation, under the pool's lock: plain loops, not streams.

    /** The warm container used most recently (its caches are warmest), or null. */
    FunctionContainer newestIdle() {
        FunctionContainer newest = null;
        for (FunctionContainer c : containers) {
            if (c.state() == ContainerState.IDLE && (newest == null || c.idleSinceNanos() > newest.idleSinceNanos())) {
                newest = c;
            }
        }
        return newest;
    }

    /** A start under way that no invocation waits for yet, or null. */
    FunctionContainer unclaimedStart() {
        for (FunctionContainer c : containers) {
            if (c.state() == ContainerState.STARTING && c.claimant() == null) {
                return c;
            }
        }
        return null;
    }

    /** Warm containers plus unclaimed starts: what is ready, or getting ready, for the next invocations. */
    int spare() {
        return count(FunctionContainer::spare);
    }

    /** Containers starting, warm or serving: not on their way out. */
    int activeCount() {
        return count(FunctionContainer::active);
    }

    private int count(Predicate<FunctionContainer> which) {
        int count = 0;
        for (FunctionContainer c : containers) {
            if (which.test(c)) {
                count++;
            }
        }
        return count;
    }

    /** Whether something of this deployment still runs or may still run code. */
    boolean active() {
        return activeCount() > 0;
    }

    /** Warm containers, oldest first. */
    List<FunctionContainer> idleOldestFirst() {
        List<FunctionContainer> idle = new ArrayList<>();
        for (FunctionContainer c : containers) {
            if (c.state() == ContainerState.IDLE) {
                idle.add(c);
            }
        }
        idle.sort(Comparator.comparingLong(FunctionContainer::idleSinceNanos));
        return idle;
    }
}

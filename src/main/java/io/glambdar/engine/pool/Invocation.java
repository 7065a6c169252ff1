package io.glambdar.engine.pool;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.time.EngineClock;

import java.util.concurrent.CompletableFuture;

/**
 * One invocation as the pool sees it, from its arrival until it gives its container back. The fields without
 * {@code final} are the pool's bookkeeping and change only under its lock.
 */
public final class Invocation {

    private final String id;
    private final DeployedFunction function;
    private final long arrivedNanos;
    private final AdmissionListener admission;

    // Guarded by the pool's lock.
    Blocker blockedBy = Blocker.QUEUE;
    EngineClock.Timer queueTimer;
    /** While queued: completed with what it was given, or with why it was turned away. */
    CompletableFuture<Grant> grant;
    /** While waiting for a container start: completed with the started container, or why it failed. */
    CompletableFuture<FunctionContainer> start;
    long startWaitBeganNanos;

    // The report: read by the engine once the pool is done with it.
    private volatile boolean coldStart;
    private volatile long initNanos;
    /** When it got capacity: its arrival, unless it had to wait. */
    private volatile long admittedNanos;
    /** Whether its {@link AdmissionListener} was told that it waits for capacity. */
    private volatile boolean waited;

    public Invocation(String id, DeployedFunction function, long arrivedNanos) {
        this(id, function, arrivedNanos, AdmissionListener.NONE);
    }

    public Invocation(String id, DeployedFunction function, long arrivedNanos, AdmissionListener admission) {
        this.id = id;
        this.function = function;
        this.arrivedNanos = arrivedNanos;
        this.admittedNanos = arrivedNanos;
        this.admission = admission;
    }

    public String id() {
        return id;
    }

    public DeployedFunction function() {
        return function;
    }

    public long arrivedNanos() {
        return arrivedNanos;
    }

    /**
     * When it must be over: its function's timeout from when it got capacity. One that waited for capacity waits at
     * most that timeout (and the queue's timeout) too, then is turned away: {@link #waitLimitNanos()}.
     */
    public long deadlineNanos() {
        return admittedNanos + function.settings().timeout().toNanos();
    }

    /** How long it may wait for capacity at most: its function's timeout from its arrival. */
    long waitLimitNanos() {
        return arrivedNanos + function.settings().timeout().toNanos();
    }

    /** It got capacity after waiting for it: its deadline counts from now. */
    void admittedAt(long nanos) {
        admittedNanos = nanos;
    }

    /** Whether it waited for a container to start (no warm one was there for it). */
    public boolean coldStart() {
        return coldStart;
    }

    /** How long it waited for its container to start; 0 when a warm one served it. */
    public long initNanos() {
        return initNanos;
    }

    /**
     * Whether it had to wait for capacity (and its {@link AdmissionListener} was told): then it asks the listener,
     * once it has a container, whether it is still wanted.
     */
    public boolean waited() {
        return waited;
    }

    /** Found no capacity: tells its listener, once, outside the pool's lock. */
    void waitsForCapacity() {
        if (!waited) {
            waited = true;
            admission.waiting();
        }
    }

    void waitedForStart(long nanos) {
        coldStart = true;
        initNanos = nanos;
    }

    @Override
    public String toString() {
        return "invocation " + id + " of " + function.name();
    }
}

package io.glambdar.engine.pool;

import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.sandbox.Sandbox;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One container of one deployment, and the only object that changes its {@link ContainerState}. Every method runs
 * under the pool's lock (checked), so what the pool derives from states — warm, busy, starting, memory reserved — is
 * always consistent with the decisions it makes. A move the state machine does not allow throws: an impossible
 * state is a bug to be seen, never a count that silently drifts.
 */
public final class FunctionContainer {

    private static final AtomicLong sequence = new AtomicLong();

    private final DeploymentPool deployment;
    private final PoolLock lock;
    private final long number = sequence.incrementAndGet();

    private ContainerState state = ContainerState.STARTING;
    /** STARTING: the invocation waiting for it (null for a warm start). BUSY: the invocation it serves. */
    private Invocation claimant;
    private Sandbox sandbox;
    private WorkerChannel channel;
    private WorkerHello hello;
    private String loadLogs = "";
    private volatile int uses; // written under the lock; read without it by the invocation it serves
    private long idleSinceNanos;

    FunctionContainer(DeploymentPool deployment, PoolLock lock) {
        this.deployment = deployment;
        this.lock = lock;
    }

    // ---------------------------------------------------------------- reading (under the lock)

    public ContainerState state() {
        lock.check();
        return state;
    }

    DeploymentPool deployment() {
        return deployment;
    }

    long memoryMb() {
        return deployment.function().settings().memoryMb();
    }

    Invocation claimant() {
        lock.check();
        return claimant;
    }

    /** Holding an invocation: busy serving it, or starting for it. */
    boolean admitted() {
        lock.check();
        return state == ContainerState.BUSY || (state == ContainerState.STARTING && claimant != null);
    }

    /** Spare capacity: warm, or starting for nobody yet. */
    boolean spare() {
        lock.check();
        return state == ContainerState.IDLE || (state == ContainerState.STARTING && claimant == null);
    }

    /** Still occupying the function's share: anything but on its way out. */
    boolean active() {
        lock.check();
        return state == ContainerState.STARTING || state == ContainerState.IDLE || state == ContainerState.BUSY;
    }

    long idleSinceNanos() {
        lock.check();
        return idleSinceNanos;
    }

    /** Invocations this container has been given, the current one included. */
    public int uses() {
        return uses;
    }

    // ---------------------------------------------------------------- what its current invocation uses (no lock)

    /** The sandbox, once launched; safe to read by the invocation this container serves. */
    public synchronized Sandbox sandbox() {
        return sandbox;
    }

    public synchronized WorkerChannel channel() {
        return channel;
    }

    public synchronized WorkerHello hello() {
        return hello;
    }

    /** What the module printed while loading belongs to the first invocation served; later ones get "". */
    public synchronized String takeLoadLogs() {
        String logs = loadLogs;
        loadLogs = "";
        return logs;
    }

    /** Cuts off whatever its sandbox is doing (a deadline); the pool removes it when the invocation lets go. */
    public void interrupt() {
        Sandbox current = sandbox();
        if (current != null) {
            current.interrupt();
        }
    }

    // ---------------------------------------------------------------- transitions (under the lock)

    /** The backend launched its sandbox. Returns false when the container is already on its way out. */
    boolean attach(Sandbox launched) {
        lock.check();
        synchronized (this) {
            sandbox = launched;
        }
        return state == ContainerState.STARTING;
    }

    /** Its worker connected and said hello: it serves its claimant at once, or waits warm. */
    void started(WorkerChannel connected, WorkerHello greeting, long nowNanos) {
        lock.check();
        if (state != ContainerState.STARTING) {
            throw new IllegalStateException(this + " was already started (it is " + state + ")");
        }
        synchronized (this) {
            channel = connected;
            hello = greeting;
            loadLogs = greeting.logs() == null ? "" : greeting.logs();
        }
        if (claimant != null) {
            moveTo(ContainerState.BUSY);
            uses++;
        } else {
            moveTo(ContainerState.IDLE);
            idleSinceNanos = nowNanos;
        }
    }

    /** Given to an invocation: a warm one becomes busy serving it; a starting one will serve it once started. */
    void claim(Invocation invocation) {
        lock.check();
        if (state == ContainerState.IDLE) {
            moveTo(ContainerState.BUSY);
            uses++;
        } else if (state != ContainerState.STARTING || claimant != null) {
            throw new IllegalStateException(this + " cannot be claimed");
        }
        claimant = invocation;
    }

    /** The invocation waiting for this start gave up (its deadline): the start goes on as a warm one. */
    boolean unclaim(Invocation invocation) {
        lock.check();
        if (state != ContainerState.STARTING || claimant != invocation) {
            return false;
        }
        claimant = null;
        return true;
    }

    /** Its invocation is over and it may serve again. */
    void idle(long nowNanos) {
        lock.check();
        if (state != ContainerState.BUSY) {
            throw new IllegalStateException(this + " cannot move from " + state + " to IDLE: it serves nobody");
        }
        moveTo(ContainerState.IDLE);
        claimant = null;
        idleSinceNanos = nowNanos;
    }

    /** On its way out; no invocation may wait for it to start any more (the pool told any that did). */
    void remove() {
        if (state == ContainerState.STARTING && claimant != null) {
            throw new IllegalStateException(this + " is removed while an invocation waits for it to start");
        }
        moveTo(ContainerState.REMOVING);
        claimant = null;
    }

    /** Removed for good. */
    void gone() {
        moveTo(ContainerState.GONE);
    }

    private void moveTo(ContainerState next) {
        lock.check();
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException(this + " cannot move from " + state + " to " + next);
        }
        state = next;
    }

    @Override
    public String toString() {
        return "container #" + number + " of " + deployment.function().name();
    }
}

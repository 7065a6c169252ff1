package io.glambdar.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The containers of one deployment of one function.
 * <ul>
 * <li>Single-use (default): idle workers are started ahead of time, each serves exactly one invocation and is then
 * destroyed; the number kept warm follows the recent arrival rate.</li>
 * <li>Reuse: a worker serves invocations one after another until it fails, reaches its use limit or sits idle too
 * long; at most {@code reuseMaxPerFunction} run at once, further invocations wait for one to be free.</li>
 * </ul>
 * Every critical section is a few field updates on this one function's pool: nothing global is locked.
 */
final class FunctionPool {

    enum Mode { SINGLE_USE, REUSE }

    final DeployedFunction function;
    final Mode mode;
    final ArrivalRate arrivals = new ArrivalRate();
    private final Pools pools;
    private final EngineSettings settings;

    // Guarded by this.
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Worker>> waiters = new ArrayDeque<>();
    private int starting;
    private int busy;
    private boolean retired;
    private volatile long lastUsedNanos = System.nanoTime();

    FunctionPool(DeployedFunction function, Mode mode, Pools pools, EngineSettings settings) {
        this.function = function;
        this.mode = mode;
        this.pools = pools;
        this.settings = settings;
    }

    /** A worker for one invocation: an idle one, a new one, or (reuse mode, at the limit) the next one freed. */
    Worker acquire(Attempt attempt, long deadlineNanos) throws IOException {
        arrivals.record();
        lastUsedNanos = System.nanoTime();
        while (true) {
            Worker worker = null;
            CompletableFuture<Worker> wait = null;
            boolean joinedStart = false;
            synchronized (this) {
                if (!idle.isEmpty()) {
                    worker = idle.pollLast(); // the most recently used: its caches are warmest
                    busy++;
                } else if (starting > waiters.size()) {
                    // A start is already under way and not promised to anyone: it is sooner than a new one.
                    wait = new CompletableFuture<>();
                    waiters.addLast(wait);
                    joinedStart = true;
                } else if (mode == Mode.SINGLE_USE || retired || busy + starting < settings.reuseMaxPerFunction()) {
                    busy++;
                } else {
                    wait = new CompletableFuture<>();
                    waiters.addLast(wait);
                }
            }
            if (wait != null) {
                worker = awaitFreed(wait, deadlineNanos, joinedStart);
                if (worker == null) {
                    continue; // a slot was freed rather than a worker: go round and start one
                }
            }
            if (worker != null) {
                if (worker.connection.idleWorkerGone()) { // died while waiting: never hand it an invocation
                    discard(worker);
                    continue;
                }
                if (!attempt.hold(worker.sandbox)) {
                    discard(worker);
                    throw new InterruptedIOException("the invocation expired while waiting for a container");
                }
                return worker;
            }
            try {
                return pools.startForInvocation(this, attempt, deadlineNanos);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    busy--;
                }
                slotFreed();
                throw e;
            }
        }
    }

    /** @param joinedStart waiting for a start under way (else: reuse mode, for a worker at the per-function limit) */
    private Worker awaitFreed(CompletableFuture<Worker> wait, long deadlineNanos, boolean joinedStart)
            throws InterruptedIOException {
        try {
            return wait.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            synchronized (this) {
                if (waiters.remove(wait)) {
                    if (joinedStart) { // like a cold start that outlived the function's timeout
                        throw new InterruptedIOException("no container was ready within the function's timeout");
                    }
                    throw new OverloadedException("function '" + function.name() + "' is at its limit of "
                            + settings.reuseMaxPerFunction() + " containers and none became free in time;"
                            + " retry shortly (or raise GLAMBDAR_REUSE_MAX_CONTAINERS)", 1);
                }
            }
            return wait.join(); // completed just as the wait timed out: use what it brought
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for a container", 1);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * After one invocation: single-use workers are destroyed; healthy reuse workers go back (or to a waiter). Then the
     * pool is topped up: replacements start now, after the reply, so they don't compete with the invocation.
     */
    void release(Worker worker, boolean healthy) {
        lastUsedNanos = System.nanoTime();
        boolean keep = mode == Mode.REUSE && healthy && worker.ready() && worker.connection.reusable()
                && worker.uses() < settings.reuseMaxUses();
        synchronized (this) {
            busy--;
            if (keep && !retired) {
                worker.markIdle();
                if (!handToWaiter(worker)) {
                    idle.addLast(worker);
                }
                return;
            }
        }
        discard(worker);
        pools.replenishSoon(this);
    }

    /** A background start finished: the worker waits for an invocation (or the first waiter takes it). */
    void started(Worker worker) {
        synchronized (this) {
            starting--;
            if (!retired) {
                if (handToWaiter(worker)) {
                    return;
                }
                idle.addLast(worker);
                return;
            }
        }
        discard(worker);
    }

    /** A background start failed or was refused. */
    void startFailed() {
        synchronized (this) {
            starting--;
        }
        slotFreed();
    }

    // Caller holds the lock.
    private boolean handToWaiter(Worker worker) {
        for (CompletableFuture<Worker> waiter; (waiter = waiters.pollFirst()) != null; ) {
            busy++;
            if (waiter.complete(worker)) {
                return true;
            }
            busy--;
        }
        return false;
    }

    /** A worker is gone: in reuse mode a waiter may now start one of its own. */
    private void slotFreed() {
        CompletableFuture<Worker> waiter;
        synchronized (this) {
            waiter = waiters.pollFirst();
        }
        if (waiter != null) {
            waiter.complete(null);
        }
    }

    private void discard(Worker worker) {
        worker.destroy();
        slotFreed();
    }

    /** How many more workers to start in the background now (and counts them as starting). */
    synchronized int reserveStarts(int target) {
        if (retired) {
            return 0;
        }
        int missing = Math.max(0, target - idle.size() - starting);
        starting += missing;
        return missing;
    }

    synchronized void cancelStarts(int count) {
        starting -= count;
    }

    /** Idle and starting workers: what this pool holds beyond the invocations in progress. */
    synchronized int spare() {
        return idle.size() + starting;
    }

    long idleForNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /** Removes idle workers beyond {@code keep}, oldest first; in reuse mode also those idle for too long. */
    void trim(int keep, long maxIdleNanos) {
        List<Worker> drop = new ArrayList<>();
        synchronized (this) {
            while (idle.size() > keep) {
                drop.add(idle.pollFirst());
            }
            for (Iterator<Worker> it = idle.iterator(); it.hasNext(); ) {
                Worker worker = it.next();
                if (worker.idleNanos() > maxIdleNanos) {
                    it.remove();
                    drop.add(worker);
                }
            }
        }
        drop.forEach(this::discard);
    }

    /** Gives up one idle worker (for an invocation of another function that needs its capacity). */
    boolean evictOne() {
        Worker worker;
        synchronized (this) {
            worker = idle.pollFirst();
        }
        if (worker == null) {
            return false;
        }
        discard(worker);
        return true;
    }

    /** The function was deleted or redeployed: destroy what is idle; what is running is destroyed when released. */
    void retire() {
        List<Worker> drop;
        List<CompletableFuture<Worker>> waiting;
        synchronized (this) {
            retired = true;
            drop = new ArrayList<>(idle);
            idle.clear();
            waiting = new ArrayList<>(waiters);
            waiters.clear();
        }
        drop.forEach(Worker::destroy);
        waiting.forEach(waiter -> waiter.complete(null)); // they start their own and finish their invocation
    }
}

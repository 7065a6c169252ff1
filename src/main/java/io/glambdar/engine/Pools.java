package io.glambdar.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where invocations get workers: a {@link FunctionPool} per deployment, a global {@link Capacity}, and the background
 * work that keeps pools at their target size (starting replacements, dropping idle workers).
 */
final class Pools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pools.class);
    private static final long TICK_MILLIS = 1000;

    private final WorkerStarter starter;
    private final EngineSettings settings;
    private final Capacity capacity;
    private final ScheduledExecutorService timers;
    private final Map<String, FunctionPool> byDeployment = new ConcurrentHashMap<>();
    // Starting containers mostly waits on Docker: a virtual thread each.
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledFuture<?> maintenance;
    /** Recent time from create to a ready worker, in seconds; sizes the warm pools. */
    private volatile double startSeconds = 0.5;
    private volatile boolean closing;

    Pools(WorkerStarter starter, EngineSettings settings, ScheduledExecutorService timers) {
        this.starter = starter;
        this.settings = settings;
        this.capacity = new Capacity(settings.maxContainers(), settings.queueSize());
        this.timers = timers;
        this.maintenance = timers.scheduleWithFixedDelay(this::maintainQuietly, TICK_MILLIS, TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    Capacity capacity() {
        return capacity;
    }

    /** A worker for {@code fn}, held by the attempt; blocks at most until the attempt's deadline. */
    Worker acquire(DeployedFunction fn, Attempt attempt) throws IOException {
        return pool(fn).acquire(attempt, attempt.deadlineNanos());
    }

    /** Takes a worker back after one invocation; {@code healthy}: it replied normally and may serve again. */
    void release(Worker worker, boolean healthy) {
        FunctionPool pool = byDeployment.get(worker.function.deploymentId());
        if (pool == null) { // retired meanwhile
            worker.destroy();
        } else {
            pool.release(worker, healthy);
        }
    }

    /** A new deployment: start one worker ahead of its first invocation. */
    void prepare(DeployedFunction fn) {
        FunctionPool pool = pool(fn);
        if (pool.mode == FunctionPool.Mode.REUSE || settings.pooling()) {
            startInBackground(pool, pool.reserveStarts(1));
        }
    }

    void retire(DeployedFunction fn) {
        FunctionPool pool = byDeployment.remove(fn.deploymentId());
        if (pool != null) {
            pool.retire();
        }
    }

    private FunctionPool pool(DeployedFunction fn) {
        return byDeployment.computeIfAbsent(fn.deploymentId(), id -> new FunctionPool(fn,
                fn.settings().reuseOr(settings.reuseByDefault()) ? FunctionPool.Mode.REUSE
                        : FunctionPool.Mode.SINGLE_USE, this, settings));
    }

    /** The cold path: waits for capacity (bounded), then starts a worker for this invocation. */
    Worker startForInvocation(FunctionPool pool, Attempt attempt, long deadlineNanos) throws IOException {
        long queueDeadline = Math.min(deadlineNanos, System.nanoTime() + settings.queueTimeout().toNanos());
        capacity.acquire(queueDeadline, () -> evictIdleFor(pool));
        return startHoldingSlot(pool.function, attempt);
    }

    /** Starts a worker with a capacity slot already taken; the slot is given back once its container is removed. */
    private Worker startHoldingSlot(DeployedFunction fn, Attempt attempt) throws IOException {
        long startNanos = System.nanoTime();
        Worker worker;
        try {
            worker = starter.start(fn, attempt);
        } catch (WorkerStarter.WorkerStartException e) {
            e.sandbox.removed().whenComplete((ignored, error) -> capacity.release());
            throw e;
        } catch (IOException | RuntimeException e) {
            capacity.release();
            throw e;
        }
        worker.sandbox.removed().whenComplete((ignored, error) -> capacity.release());
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        startSeconds = 0.8 * startSeconds + 0.2 * seconds;
        return worker;
    }

    /** An invocation just took or started a worker: top the single-use pool up to its target in the background. */
    void replenishSoon(FunctionPool pool) {
        if (pool.mode == FunctionPool.Mode.SINGLE_USE && settings.pooling()) {
            startInBackground(pool, pool.reserveStarts(warmTarget(pool)));
        }
    }

    private int warmTarget(FunctionPool pool) {
        return ArrivalRate.warmTarget(pool.arrivals.perSecond(), startSeconds, settings.poolMaxPerFunction());
    }

    private void startInBackground(FunctionPool pool, int count) {
        for (int i = 0; i < count; i++) {
            try {
                background.execute(() -> startOne(pool));
            } catch (RejectedExecutionException e) { // closing
                pool.cancelStarts(count - i);
                return;
            }
        }
    }

    /** Warm containers are spare capacity: only started when a slot is free now and the global cap allows. */
    private void startOne(FunctionPool pool) {
        if (closing || warmTotal() > settings.poolMaxTotal() || !capacity.tryAcquire()) {
            pool.startFailed();
            return;
        }
        Attempt attempt = new Attempt(System.nanoTime() + settings.startTimeout().toNanos());
        ScheduledFuture<?> timer = timers.schedule(attempt::expire, settings.startTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        Worker worker;
        try {
            worker = startHoldingSlot(pool.function, attempt);
        } catch (IOException | RuntimeException e) {
            if (e instanceof WorkerStarter.WorkerStartException failed) {
                failed.sandbox.destroy();
            }
            log.debug("Warm start of {} failed: {}", pool.function.name(), e.toString());
            pool.startFailed();
            return;
        } finally {
            timer.cancel(false);
        }
        attempt.letGo();
        if (attempt.expired()) {
            worker.destroy();
            pool.startFailed();
        } else {
            pool.started(worker);
        }
    }

    private int warmTotal() {
        int total = 0;
        for (FunctionPool pool : byDeployment.values()) {
            total += pool.spare();
        }
        return total;
    }

    /** Frees a slot for {@code requester} by destroying an idle worker, another function's first. */
    private void evictIdleFor(FunctionPool requester) {
        for (FunctionPool pool : byDeployment.values()) {
            if (pool != requester && pool.evictOne()) {
                return;
            }
        }
        requester.evictOne();
    }

    /** Once a second: update arrival rates, shrink idle pools (to zero after the idle timeout), refill the rest. */
    private void maintain() {
        long poolIdle = settings.poolIdleTimeout().toNanos();
        long reuseIdle = settings.reuseIdleTimeout().toNanos();
        for (FunctionPool pool : List.copyOf(byDeployment.values())) {
            pool.arrivals.tick(TICK_MILLIS / 1000.0);
            if (pool.mode == FunctionPool.Mode.REUSE) {
                pool.trim(Integer.MAX_VALUE, reuseIdle);
            } else if (!settings.pooling() || pool.idleForNanos() > poolIdle) {
                pool.trim(0, Long.MAX_VALUE);
            } else {
                int target = warmTarget(pool);
                pool.trim(target, Long.MAX_VALUE);
                startInBackground(pool, pool.reserveStarts(target));
            }
        }
    }

    private void maintainQuietly() {
        try {
            maintain();
        } catch (RuntimeException e) {
            log.warn("Pool maintenance failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closing = true;
        maintenance.cancel(false);
        byDeployment.values().forEach(FunctionPool::retire);
        byDeployment.clear();
        background.shutdown();
    }
}

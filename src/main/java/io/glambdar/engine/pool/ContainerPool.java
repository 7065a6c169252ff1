package io.glambdar.engine.pool;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.EngineSettings;
import io.glambdar.engine.time.Deadline;
import io.glambdar.engine.time.EngineClock;
import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxBackend;
import io.glambdar.sandbox.SandboxSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Policy over containers: which one serves an invocation, which to start ahead of demand, which to evict, and which
 * invocation to admit next. It keeps no counts: every number it decides by (busy, warm, starting, memory reserved,
 * invocations of a function) is read off the {@link FunctionContainer}s' states, under one lock, so no fault can make
 * a count drift. Blocking work — starting containers, talking to workers — happens outside the lock; whatever a
 * decision must do afterwards (complete a waiter, destroy a sandbox, start a container) is collected while locked and
 * run after unlocking, so no foreign code ever runs under the lock.
 */
public final class ContainerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerPool.class);
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a spare beyond a single-use pool's target stays, in case the calls pick up again. */
    private static final long SPARE_LINGER_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * A retired deployment is remembered this long, so a late invocation of it is told it is gone: longer than any
     * invocation may wait (the longest timeout is 15 minutes).
     */
    private static final long TOMBSTONE_NANOS = TimeUnit.MINUTES.toNanos(30);
    /** How long {@link #close()} waits for invocations to hand their (destroyed) containers back. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final SandboxBackend backend;
    private final EngineSettings settings;
    private final EngineClock clock;
    private final Executor background;
    private final PoolLock lock = new PoolLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private final Map<String, DeploymentPool> deployments = new HashMap<>();
    /** Invocations waiting for capacity, in arrival order; being in it is what "queued" means. */
    private final LinkedHashSet<Invocation> queue = new LinkedHashSet<>();
    /** Every invocation between its arrival and its end: what shutdown waits for. */
    private final Set<Invocation> invocations = new HashSet<>();
    private boolean closing;
    private EngineClock.Timer maintenance;
    /** Clean-up put off past invocations' responses ({@link #afterResponse}), not run yet. */
    private final Set<Cleanup> cleanupsPending = ConcurrentHashMap.newKeySet();
    /** Recent time from launch to a ready worker; sizes the warm pools. */
    private final StartDuration startDuration = new StartDuration(0.5);

    /** @param background runs container starts, which mostly wait on the backend (virtual threads suit it) */
    public ContainerPool(SandboxBackend backend, EngineSettings settings, EngineClock clock, Executor background) {
        this.backend = backend;
        this.settings = settings;
        this.clock = clock;
        this.background = background;
        this.maintenance = clock.schedule(this::maintainAndReschedule, TICK_NANOS);
    }

    // ================================================================ invocations

    /**
     * A container serving {@code invocation}, busy for it and ready: a warm one, a start already under way, or a new
     * one. Waits in the queue at most until the queue timeout or its function's timeout from its arrival (then
     * {@link Rejected}); one that waited has its deadline moved to its timeout from when it got capacity. Waits for a
     * start at most until the deadline (then {@link StartFailed}). The invocation must call {@link #finish} in any case.
     */
    public FunctionContainer acquire(Invocation invocation, Deadline deadline) throws Rejected, StartFailed {
        boolean first = true;
        while (true) {
            Grant grant = awaitGrant(invocation, first, deadline);
            first = false;
            FunctionContainer container = grant.container();
            if (!grant.warm()) {
                return awaitStart(invocation, container, deadline);
            }
            WorkerHello hello = container.hello();
            if (hello.ready() && container.channel().idleWorkerGone()) {
                locked(after -> removeDead(container, after)); // never hand it an invocation, go round for another
                continue;
            }
            return container;
        }
    }

    /**
     * Queues {@code invocation} for a container (or a start). One that had to wait gets its whole timeout from when it
     * got one: {@code deadline} moves there, so that a wait that ended just before the function's timeout is not cut
     * off while its container starts (its wait, bounded by that timeout, ends in a 429 instead).
     */
    private Grant awaitGrant(Invocation invocation, boolean first, Deadline deadline) throws Rejected {
        CompletableFuture<Grant> grant = new CompletableFuture<>();
        List<Runnable> after = new ArrayList<>();
        boolean waits = false;
        lock.lock();
        try {
            if (closing) {
                throw shuttingDown();
            }
            DeployedFunction fn = invocation.function();
            DeploymentPool pool = deploymentOf(fn);
            if (pool.retired()) {
                throw gone(fn);
            }
            if (fn.settings().memoryMb() > settings.maxMemoryMb()) {
                throw new Rejected(Rejected.Reason.TOO_LARGE, "function '" + fn.name() + "' needs "
                        + fn.settings().memoryMb() + " MB of memory, more than the server's whole budget of "
                        + settings.maxMemoryMb() + " MB; lower \"memory\" in its glambdar.json or raise"
                        + " GLAMBDAR_MAX_MEMORY_MB");
            }
            long now = clock.nanoTime();
            invocations.add(invocation); // once: a retry after a dead warm container is the same invocation
            if (first) {
                pool.arrivals().record();
                pool.used(now);
            }
            invocation.grant = grant;
            invocation.blockedBy = Blocker.QUEUE;
            if (first) {
                queue.addLast(invocation);
            } else {
                queue.addFirst(invocation); // its warm container died under it: it keeps its place
            }
            // One that will be turned away if it cannot run right now must not evict anything on its behalf.
            dispatch(after, queue.size() > settings.queueSize() ? invocation : null);
            if (queue.contains(invocation)) {
                if (queue.size() > settings.queueSize()) {
                    dequeue(invocation, after);
                    throw new Rejected(Rejected.Reason.OVERLOADED, "too many invocations at once: "
                            + settings.queueSize() + " are already waiting for capacity; retry shortly (or raise"
                            + " GLAMBDAR_QUEUE_SIZE)");
                }
                long waitUntil = Math.min(invocation.waitLimitNanos(), now + settings.queueTimeout().toNanos());
                invocation.queueTimer = clock.schedule(() -> expireQueued(invocation), waitUntil - now);
                waits = true;
            }
        } finally {
            lock.unlock();
            run(after);
        }
        if (waits && !grant.isDone()) {
            invocation.waitsForCapacity();
        }
        Grant granted = join(grant, Rejected.class);
        if (waits) {
            long now = clock.nanoTime();
            invocation.admittedAt(now);
            deadline.moveTo(clock, invocation.deadlineNanos());
        }
        return granted;
    }

    /** Waits for the start granted to {@code invocation}; at its deadline it stops waiting (the start goes on). */
    private FunctionContainer awaitStart(Invocation invocation, FunctionContainer container, Deadline deadline)
            throws StartFailed {
        CompletableFuture<FunctionContainer> start;
        lock.lock();
        try {
            start = invocation.start;
        } finally {
            lock.unlock();
        }
        if (!deadline.hold(() -> abandonStart(invocation, container))) {
            abandonStart(invocation, container);
        }
        try {
            return join(start, StartFailed.class);
        } finally {
            deadline.letGo();
        }
    }

    /**
     * The invocation is done with its container. A reuse-mode container that ended healthy waits for the next one;
     * any other is removed. Then single-use pools are topped up: replacements start now, after the reply, so that
     * they never compete with the invocation they replace.
     */
    public void release(Invocation invocation, FunctionContainer container, boolean reusable) {
        locked(after -> {
            DeploymentPool pool = container.deployment();
            long now = clock.nanoTime();
            List<Runnable> cleanup = new ArrayList<>();
            if (container.state() == ContainerState.BUSY) {
                boolean keep = pool.mode() == DeploymentPool.Mode.REUSE && reusable && !pool.retired() && !closing
                        && container.uses() < settings.reuseMaxUses();
                if (keep) {
                    container.idle(now);
                } else {
                    remove(container, cleanup);
                }
            }
            pool.used(now);
            dispatch(after);
            replenish(pool, cleanup);
            drainedIfDone(pool, after);
            changed.signalAll();
            afterResponse(cleanup, after);
        });
    }

    /**
     * Runs {@code cleanup} (destroying the container just used, booting a spare in its place) a
     * {@link EngineSettings#cleanupDelay()} from now, while the invocation's response is written: that work keeps the
     * Docker daemon busy, and run at once it competes with the response for a small machine's CPU. The states change
     * now (the container is REMOVING and its memory still counted, the spare STARTING); only the backend's work waits.
     * If the pool closes first, it runs then.
     */
    private void afterResponse(List<Runnable> cleanup, List<Runnable> after) {
        long delay = settings.cleanupDelay().toNanos();
        if (cleanup.isEmpty() || delay <= 0 || closing) {
            after.addAll(cleanup);
            return;
        }
        Cleanup pending = new Cleanup(cleanup);
        cleanupsPending.add(pending);
        after.add(() -> {
            try {
                clock.schedule(() -> runPending(pending), delay);
            } catch (RejectedExecutionException e) { // the clock stopped: the engine is closing
                runPending(pending);
            }
        });
    }

    /** Runs a put-off clean-up, once: whichever comes first, its time or the pool's close, runs it. */
    private void runPending(Cleanup pending) {
        if (cleanupsPending.remove(pending)) {
            run(pending.actions);
        }
    }

    /** One invocation's put-off clean-up; equal only to itself. */
    private static final class Cleanup {
        final List<Runnable> actions;

        Cleanup(List<Runnable> actions) {
            this.actions = actions;
        }
    }

    /** The invocation ended (however): it no longer counts, and nothing waits for it any more. */
    public void finish(Invocation invocation) {
        locked(after -> {
            dequeue(invocation, after);
            invocations.remove(invocation);
            changed.signalAll();
        });
    }

    // ================================================================ deployments

    /** A deployment was just made: start one container ahead of its first invocation, if there is room. */
    public void warm(DeployedFunction fn) {
        locked(after -> {
            if (closing) {
                return;
            }
            DeploymentPool pool = deploymentOf(fn);
            boolean pooled = pool.mode() == DeploymentPool.Mode.REUSE || settings.pooling();
            if (pooled && pool.spare() == 0 && roomForSpare(pool)) {
                startContainer(pool, after);
            }
        });
    }

    /**
     * The deployment is gone: its queued invocations are turned away, its spare containers removed; running ones
     * finish. Completes once none of its containers starts, waits or runs any more.
     */
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        return lockedFor(after -> {
            DeploymentPool pool = deploymentOf(fn);
            if (!pool.retired()) {
                pool.retire(clock.nanoTime());
            }
            for (Iterator<Invocation> it = queue.iterator(); it.hasNext(); ) {
                Invocation queued = it.next();
                if (queued.function().deploymentId().equals(fn.deploymentId())) {
                    it.remove();
                    reject(queued, gone(fn), after);
                }
            }
            for (FunctionContainer container : List.copyOf(pool.containers())) {
                if (container.spare()) {
                    remove(container, after);
                }
            }
            drainedIfDone(pool, after);
            return pool.drained();
        });
    }

    private DeploymentPool deploymentOf(DeployedFunction fn) {
        return deployments.computeIfAbsent(fn.deploymentId(), id -> new DeploymentPool(fn,
                fn.settings().reuseOr(settings.reuseByDefault())
                        ? DeploymentPool.Mode.REUSE : DeploymentPool.Mode.SINGLE_USE, clock.nanoTime()));
    }

    // ================================================================ admission (under the lock)

    /**
     * Admits queued invocations in order, as far as containers and memory allow. An invocation blocked only by its own
     * function's limits does not hold up the others; one waiting for memory does: no later invocation takes memory
     * before it (so a large function is never starved by small ones), though later ones may still take warm
     * containers, which need no memory.
     */
    private void dispatch(List<Runnable> after) {
        dispatch(after, null);
    }

    /** @param doomed an invocation about to be turned away unless admitted now: nothing is evicted for it */
    private void dispatch(List<Runnable> after, Invocation doomed) {
        if (queue.isEmpty()) {
            return;
        }
        long free = -1; // computed when first needed
        boolean memoryClaimed = false;
        // Within one pass containers are only taken, never freed: a deployment found blocked stays blocked, and the
        // invocations queued behind the first of it are passed over without looking at its containers again.
        // By deployment id, looked up before the deployment itself: the queue is mostly such invocations.
        Map<String, Blocker> blocked = new HashMap<>();
        for (Iterator<Invocation> it = queue.iterator(); it.hasNext(); ) {
            Invocation invocation = it.next();
            DeployedFunction fn = invocation.function();
            Blocker blocker = blocked.get(fn.deploymentId());
            if (blocker != null) {
                invocation.blockedBy = blocker;
                continue;
            }
            DeploymentPool pool = deploymentOf(fn); // forgotten while idle (not retired): made again
            if (pool.retired()) {
                it.remove();
                reject(invocation, gone(fn), after);
                continue;
            }
            if (atConcurrencyLimit(fn)) {
                invocation.blockedBy = Blocker.CONCURRENCY;
                blocked.put(fn.deploymentId(), Blocker.CONCURRENCY);
                continue;
            }
            FunctionContainer warm = pool.newestIdle();
            if (warm != null) {
                it.remove();
                grant(invocation, warm, true, after);
                continue;
            }
            FunctionContainer starting = pool.unclaimedStart();
            if (starting != null) {
                it.remove();
                grant(invocation, starting, false, after);
                continue;
            }
            // Per version: two versions in use at once (a canary beside the active one) each keep their own warm
            // containers rather than evicting each other's; the memory budget bounds them all.
            if (pool.mode() == DeploymentPool.Mode.REUSE && pool.activeCount() >= settings.reuseMaxPerFunction()) {
                invocation.blockedBy = Blocker.CONTAINERS;
                blocked.put(fn.deploymentId(), Blocker.CONTAINERS);
                continue;
            }
            if (memoryClaimed) {
                invocation.blockedBy = Blocker.MEMORY;
                continue;
            }
            if (free < 0) {
                free = freeMemoryMb();
            }
            long need = fn.settings().memoryMb();
            if (need <= free) {
                it.remove();
                free -= need;
                grant(invocation, startContainer(pool, after), false, after);
                continue;
            }
            invocation.blockedBy = Blocker.MEMORY;
            memoryClaimed = true;
            if (invocation != doomed) {
                evictFor(pool, need - free, after);
            }
        }
    }

    private void grant(Invocation invocation, FunctionContainer container, boolean warm, List<Runnable> after) {
        container.claim(invocation);
        cancelQueueTimer(invocation, after);
        if (!warm) {
            invocation.start = new CompletableFuture<>();
            invocation.startWaitBeganNanos = clock.nanoTime();
        }
        CompletableFuture<Grant> waiting = invocation.grant;
        Grant given = new Grant(container, warm);
        after.add(() -> waiting.complete(given));
    }

    private void reject(Invocation invocation, Rejected why, List<Runnable> after) {
        cancelQueueTimer(invocation, after);
        CompletableFuture<Grant> waiting = invocation.grant;
        after.add(() -> waiting.completeExceptionally(why));
    }

    private void dequeue(Invocation invocation, List<Runnable> after) {
        if (queue.remove(invocation)) {
            cancelQueueTimer(invocation, after);
        }
    }

    private static void cancelQueueTimer(Invocation invocation, List<Runnable> after) {
        EngineClock.Timer timer = invocation.queueTimer;
        invocation.queueTimer = null;
        if (timer != null) {
            after.add(timer::cancel);
        }
    }

    /** The queue timeout (or the deadline) came while the invocation still waited: 429, saying what it waited for. */
    private void expireQueued(Invocation invocation) {
        locked(after -> {
            if (queue.remove(invocation)) {
                reject(invocation, overloaded(invocation), after);
            }
        });
    }

    private Rejected overloaded(Invocation invocation) {
        DeployedFunction fn = invocation.function();
        String why = switch (invocation.blockedBy) {
            case MEMORY -> "the server's memory budget of " + settings.maxMemoryMb() + " MB is fully reserved by"
                    + " running containers (GLAMBDAR_MAX_MEMORY_MB)";
            case CONCURRENCY -> "function '" + fn.name() + "' already runs its \"concurrency\" limit of "
                    + fn.settings().concurrency() + " invocations at once (glambdar.json)";
            case CONTAINERS -> "this version of function '" + fn.name() + "' already runs its limit of "
                    + settings.reuseMaxPerFunction() + " reuse-mode containers and none became free"
                    + " (GLAMBDAR_REUSE_MAX_CONTAINERS)";
            case QUEUE -> "invocations that arrived earlier are still waiting for capacity";
        };
        return new Rejected(Rejected.Reason.OVERLOADED, "no capacity for function '" + fn.name() + "' in time: "
                + why + "; retry shortly");
    }

    private boolean atConcurrencyLimit(DeployedFunction fn) {
        Integer limit = fn.settings().concurrency();
        return limit != null && count(fn.name(), FunctionContainer::admitted) >= limit;
    }

    /** Containers (of {@code functionName}'s deployments, or of all when it is null) that {@code which} picks. */
    private int count(String functionName, Predicate<FunctionContainer> which) {
        int count = 0;
        for (DeploymentPool pool : deployments.values()) {
            if (functionName == null || pool.name().equals(functionName)) {
                for (FunctionContainer container : pool.containers()) {
                    if (which.test(container)) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    /** The memory of the containers {@code which} picks; every container not GONE reserves its function's memory. */
    private long memoryMb(Predicate<FunctionContainer> which) {
        long memory = 0;
        for (DeploymentPool pool : deployments.values()) {
            for (FunctionContainer container : pool.containers()) {
                if (which.test(container)) {
                    memory += container.memoryMb();
                }
            }
        }
        return memory;
    }

    private long freeMemoryMb() {
        return settings.maxMemoryMb() - memoryMb(container -> true);
    }

    /**
     * Frees memory for the first invocation waiting for it, by removing spare containers of other deployments, but
     * only if that is enough for it to run: evicting a warm container for an invocation that will wait anyway costs
     * its function a cold start and helps nobody. Memory being released by removals already under way counts.
     */
    private void evictFor(DeploymentPool requester, long shortMb, List<Runnable> after) {
        long missing = shortMb - memoryMb(container -> container.state() == ContainerState.REMOVING);
        if (missing <= 0) {
            return;
        }
        List<FunctionContainer> candidates = new ArrayList<>();
        for (DeploymentPool pool : deployments.values()) {
            if (pool != requester) {
                for (FunctionContainer container : pool.containers()) {
                    if (container.spare()) {
                        candidates.add(container);
                    }
                }
            }
        }
        // Starts under way first (nothing invested in them yet is lost), then the longest idle.
        candidates.sort(Comparator.comparing((FunctionContainer c) -> c.state() == ContainerState.IDLE)
                .thenComparingLong(c -> c.state() == ContainerState.IDLE ? c.idleSinceNanos() : 0));
        List<FunctionContainer> chosen = new ArrayList<>();
        long found = 0;
        for (FunctionContainer candidate : candidates) {
            if (found >= missing) {
                break;
            }
            chosen.add(candidate);
            found += candidate.memoryMb();
        }
        if (found >= missing) {
            chosen.forEach(container -> remove(container, after));
        }
    }

    // ================================================================ warm containers (under the lock)

    /** Single-use pools keep as many spare containers as their recent rate of calls needs. */
    private void replenish(DeploymentPool pool, List<Runnable> after) {
        if (pool.mode() != DeploymentPool.Mode.SINGLE_USE || !settings.pooling()) {
            return;
        }
        for (int missing = warmTarget(pool) - pool.spare(); missing > 0 && roomForSpare(pool); missing--) {
            startContainer(pool, after);
        }
    }

    private int warmTarget(DeploymentPool pool) {
        return ArrivalRate.warmTarget(pool.arrivals().perSecond(), startDuration.seconds(),
                settings.poolMaxPerFunction());
    }

    /**
     * Spare containers are started only from memory nobody waits for, within the warm total, and not for a
     * deployment whose last start failed (until one succeeds again).
     */
    private boolean roomForSpare(DeploymentPool pool) {
        return !closing && !pool.retired() && !pool.startFailing() && queue.isEmpty()
                && count(null, FunctionContainer::spare) < settings.poolMaxTotal()
                && pool.function().settings().memoryMb() <= freeMemoryMb();
    }

    // ================================================================ container lifecycles

    /** A new container, STARTING and claimed by nobody yet; it is booted on a background thread. */
    private FunctionContainer startContainer(DeploymentPool pool, List<Runnable> after) {
        FunctionContainer container = new FunctionContainer(pool, lock);
        pool.containers().add(container);
        after.add(() -> {
            try {
                background.execute(() -> boot(container));
            } catch (RejectedExecutionException e) {
                startFailed(container, null, new IOException("the server is shutting down"));
            }
        });
        return container;
    }

    /** Launches the sandbox, waits for its worker and its hello, within the start timeout. */
    private void boot(FunctionContainer container) {
        boolean removedAlready;
        lock.lock();
        try {
            removedAlready = !container.active();
        } finally {
            lock.unlock();
        }
        if (removedAlready) { // before its launch (the pool closed, its deployment was retired): nothing to destroy
            gone(container);
            return;
        }
        DeployedFunction fn = container.deployment().function();
        long began = clock.nanoTime();
        Sandbox sandbox;
        try {
            sandbox = backend.launch(new SandboxSpec(fn.name(), fn.codeDir(), fn.settings().memoryMb(),
                    fn.settings().cpus(), fn.settings().env(), fn.settings().tmpMb()));
        } catch (RuntimeException e) {
            startFailed(container, null, e);
            return;
        }
        boolean stillWanted;
        lock.lock();
        try {
            stillWanted = container.attach(sandbox);
        } finally {
            lock.unlock();
        }
        if (!stillWanted) { // removed while it was being launched
            destroy(container, sandbox);
            return;
        }
        EngineClock.Timer limit;
        try {
            limit = clock.schedule(sandbox::interrupt, settings.startTimeout().toNanos());
        } catch (RejectedExecutionException e) {
            startFailed(container, sandbox, new IOException("the server is shutting down"));
            return;
        }
        try {
            WorkerChannel channel = sandbox.connect();
            WorkerHello hello = channel.readHello();
            if (hello.ready()) {
                channel.rehearse(); // within the start's time limit: a worker that stalls here fails to start
            }
            started(container, channel, hello, clock.nanoTime() - began);
        } catch (IOException | RuntimeException e) {
            startFailed(container, sandbox, e);
        } finally {
            limit.cancel();
        }
    }

    private void started(FunctionContainer container, WorkerChannel channel, WorkerHello hello, long tookNanos) {
        locked(after -> {
            if (container.state() != ContainerState.STARTING) { // removed meanwhile: its sandbox is being destroyed
                after.add(() -> closeQuietly(channel));
                return;
            }
            DeploymentPool pool = container.deployment();
            Invocation claimant = container.claimant();
            long now = clock.nanoTime();
            container.started(channel, hello, now);
            // A worker that could not load the function's code answers only with that error: no spares of it.
            pool.startFailing(!hello.ready());
            startDuration.record(tookNanos / 1e9);
            if (claimant != null) {
                claimant.waitedForStart(now - claimant.startWaitBeganNanos);
                CompletableFuture<FunctionContainer> waiting = claimant.start;
                after.add(() -> waiting.complete(container));
            } else if (pool.retired() || closing) {
                remove(container, after);
            }
            dispatch(after);
            if (!hello.ready() && container.state() == ContainerState.IDLE) {
                // Nobody took it: its worker has ended after the load error, and a spare would hold memory for nothing.
                remove(container, after);
                dispatch(after);
            }
            changed.signalAll();
        });
    }

    private void startFailed(FunctionContainer container, Sandbox sandbox, Throwable cause) {
        locked(after -> {
            DeploymentPool pool = container.deployment();
            Invocation claimant = container.state() == ContainerState.STARTING ? container.claimant() : null;
            if (container.active()) {
                if (claimant != null) {
                    container.unclaim(claimant); // told below why, not by remove()
                }
                Runnable destroy = takeOut(container);
                if (claimant == null) {
                    after.add(destroy);
                    pool.startFailing(true);
                    log.warn("A warm container of {} did not start: {}", pool.name(), cause.getMessage());
                } else {
                    // Its claimant reads what it printed and how it ended first, then lets it be destroyed.
                    claimant.waitedForStart(clock.nanoTime() - claimant.startWaitBeganNanos);
                    CompletableFuture<FunctionContainer> waiting = claimant.start;
                    StartFailed failure = new StartFailed(sandbox, cause, destroy);
                    after.add(() -> waiting.completeExceptionally(failure));
                }
            }
            if (sandbox == null && container.state() == ContainerState.REMOVING) {
                gone(container, after); // never had a sandbox: nothing to wait for
            }
            dispatch(after);
        });
    }

    /** The invocation waiting for this start reached its deadline: it stops waiting, the start goes on as a spare. */
    private void abandonStart(Invocation invocation, FunctionContainer container) {
        locked(after -> {
            if (container.unclaim(invocation)) {
                invocation.waitedForStart(clock.nanoTime() - invocation.startWaitBeganNanos);
                CompletableFuture<FunctionContainer> waiting = invocation.start;
                StartFailed failure = StartFailed.deadlinePassed(container.sandbox());
                after.add(() -> waiting.completeExceptionally(failure));
                dispatch(after);
            }
        });
    }

    /**
     * Moves a container on its way out and destroys its sandbox (once it has one). An invocation waiting for it to
     * start is told; one it serves notices its sandbox going away.
     */
    private void remove(FunctionContainer container, List<Runnable> after) {
        if (!container.active()) {
            return;
        }
        Invocation waiting = container.claimant();
        if (container.state() == ContainerState.STARTING && waiting != null) {
            container.unclaim(waiting);
            CompletableFuture<FunctionContainer> start = waiting.start;
            StartFailed failure = new StartFailed(container.sandbox(),
                    new IOException("its container was removed while starting (the server is shutting down)"), null);
            after.add(() -> start.completeExceptionally(failure));
        }
        after.add(takeOut(container));
    }

    /** {@link #remove}s an idle container whose worker died, once the server's log says why (Docker forgets then). */
    private void removeDead(FunctionContainer container, List<Runnable> after) {
        if (!container.active()) {
            return;
        }
        DeployedFunction fn = container.deployment().function();
        Sandbox sandbox = container.sandbox();
        Instant idleSince = Instant.now().minusNanos(Math.max(0, clock.nanoTime() - container.idleSinceNanos()));
        Runnable destroy = takeOut(container);
        Runnable reportThenDestroy = () -> {
            try {
                IdleDeath.report(fn.name(), fn.settings().memoryMb(), sandbox, idleSince);
            } finally {
                destroy.run();
            }
        };
        after.add(() -> {
            try {
                background.execute(reportThenDestroy); // off the lock's follow-ups: it asks Docker
            } catch (RejectedExecutionException e) {
                destroy.run(); // shutting down
            }
        });
    }

    /**
     * Moves an active container to REMOVING and returns what destroys its sandbox, to run after unlocking. A
     * container still being launched has no sandbox yet: boot() destroys it as soon as it has one.
     */
    private Runnable takeOut(FunctionContainer container) {
        container.remove();
        changed.signalAll();
        Sandbox sandbox = container.sandbox();
        return sandbox == null ? () -> { } : () -> destroy(container, sandbox);
    }

    private void destroy(FunctionContainer container, Sandbox sandbox) {
        sandbox.destroy();
        sandbox.removed().whenComplete((ignored, error) -> gone(container));
    }

    private void gone(FunctionContainer container) {
        locked(after -> {
            gone(container, after);
            dispatch(after); // its memory is free again
        });
    }

    private void gone(FunctionContainer container, List<Runnable> after) {
        if (container.state() != ContainerState.REMOVING) {
            return;
        }
        container.gone();
        DeploymentPool pool = container.deployment();
        pool.containers().remove(container);
        drainedIfDone(pool, after);
        changed.signalAll();
    }

    private static void drainedIfDone(DeploymentPool pool, List<Runnable> after) {
        if (pool.retired() && !pool.active() && !pool.drained().isDone()) {
            after.add(() -> pool.drained().complete(null));
        }
    }

    // ================================================================ upkeep

    private void maintainAndReschedule() {
        try {
            maintain();
        } catch (RuntimeException e) {
            log.warn("Pool maintenance failed: {}", e.toString());
        }
        lock.lock();
        try {
            if (!closing) {
                maintenance = clock.schedule(this::maintainAndReschedule, TICK_NANOS);
            }
        } catch (RejectedExecutionException e) {
            // closing
        } finally {
            lock.unlock();
        }
    }

    /**
     * Once a second: folds arrival rates, removes warm containers whose worker died, trims what idles too long,
     * tops single-use pools up to their target, and forgets deployments nobody uses.
     */
    void maintain() {
        locked(after -> {
            long now = clock.nanoTime();
            long forgetAfter = 2 * Math.max(settings.poolIdleTimeout().toNanos(), settings.reuseIdleTimeout().toNanos());
            for (DeploymentPool pool : List.copyOf(deployments.values())) {
                pool.arrivals().tick(TICK_NANOS / 1e9);
                if (pool.retired()) {
                    if (pool.containers().isEmpty() && pool.retiredForNanos(now) > TOMBSTONE_NANOS) {
                        deployments.remove(pool.function().deploymentId());
                    }
                    continue;
                }
                for (FunctionContainer container : pool.idleOldestFirst()) {
                    if (container.hello().ready() && container.channel().idleWorkerGone()) {
                        removeDead(container, after);
                    }
                }
                trim(pool, now, after);
                if (pool.containers().isEmpty() && pool.idleForNanos(now) > forgetAfter) {
                    deployments.remove(pool.function().deploymentId()); // made again on its next invocation
                }
            }
            dispatch(after);
        });
    }

    private void trim(DeploymentPool pool, long now, List<Runnable> after) {
        List<FunctionContainer> idle = pool.idleOldestFirst();
        if (pool.mode() == DeploymentPool.Mode.REUSE) {
            for (FunctionContainer container : idle) {
                if (now - container.idleSinceNanos() > settings.reuseIdleTimeout().toNanos()) {
                    remove(container, after);
                }
            }
            return;
        }
        if (!settings.pooling() || pool.idleForNanos(now) > settings.poolIdleTimeout().toNanos()) {
            idle.forEach(container -> remove(container, after));
            return;
        }
        // Beyond the target, only spares that have idled a while go: the target swings with each second's count of
        // calls, and a spare removed now would often be started again a second later.
        int excess = pool.spare() - warmTarget(pool);
        for (int i = 0; i < excess && i < idle.size()
                && now - idle.get(i).idleSinceNanos() >= SPARE_LINGER_NANOS; i++) {
            remove(idle.get(i), after);
        }
        replenish(pool, after);
    }

    // ================================================================ what the server reports

    /**
     * Right now: containers alive, memory they reserve against the budget, invocations waiting for capacity and
     * invocations holding a container.
     */
    public record Load(int containers, long memoryReservedMb, long maxMemoryMb, int waiting, int running) {
    }

    public Load load() {
        lock.lock();
        try {
            return new Load(count(null, container -> true), memoryMb(container -> true), settings.maxMemoryMb(),
                    queue.size(), count(null, FunctionContainer::admitted));
        } finally {
            lock.unlock();
        }
    }

    /** Every container, of every function, in each live state. */
    public ContainerCounts containers() {
        return containersOf(null);
    }

    /** The containers of {@code functionName} (all its deployments; null: of every function) in each live state. */
    public ContainerCounts containersOf(String functionName) {
        lock.lock();
        try {
            return new ContainerCounts(count(functionName, inState(ContainerState.STARTING)),
                    count(functionName, inState(ContainerState.IDLE)), count(functionName, inState(ContainerState.BUSY)),
                    count(functionName, inState(ContainerState.REMOVING)));
        } finally {
            lock.unlock();
        }
    }

    private static Predicate<FunctionContainer> inState(ContainerState state) {
        return container -> container.state() == state;
    }

    // ================================================================ shutdown

    /** Whether the pool is shutting down (every container still alive is about to go). */
    public boolean closing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new invocations, turns away queued ones, removes spare containers, and waits up to {@code grace} for
     * the running ones to finish. Returns whether they all did.
     */
    public boolean drain(Duration grace) {
        stopAccepting(false);
        return awaitUntil(() -> count(null, FunctionContainer::admitted) == 0, grace);
    }

    /**
     * Removes every container, those still serving included, then waits (bounded) until every invocation has
     * returned, so that what they report (and what the layers above record) is complete before the server stops.
     */
    @Override
    public void close() {
        stopAccepting(true);
        if (!awaitUntil(invocations::isEmpty, CLOSE_WAIT)) {
            log.warn("Invocations had not all returned {} s after their containers were removed",
                    CLOSE_WAIT.toSeconds());
        }
    }

    /**
     * Waits, on the real clock (shutdown is not something tests move by hand), until {@code done} holds under the
     * lock or {@code limit} has passed; returns whether it holds.
     */
    private boolean awaitUntil(BooleanSupplier done, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void stopAccepting(boolean removeAll) {
        locked(after -> {
            closing = true;
            EngineClock.Timer tick = maintenance;
            maintenance = null;
            if (tick != null) {
                after.add(tick::cancel);
            }
            while (!queue.isEmpty()) {
                reject(queue.removeFirst(), shuttingDown(), after);
            }
            for (DeploymentPool pool : deployments.values()) {
                for (FunctionContainer container : List.copyOf(pool.containers())) {
                    if (removeAll || container.spare()) {
                        remove(container, after);
                    }
                }
            }
            changed.signalAll();
        });
        // After closing is set, so that no more are put off: a stopping clock may never run their timers.
        List.copyOf(cleanupsPending).forEach(this::runPending);
    }

    // ================================================================ helpers

    private static Rejected gone(DeployedFunction fn) {
        return new Rejected(Rejected.Reason.GONE, "function '" + fn.name() + "' was deleted or replaced before this"
                + " invocation could start; it did not run");
    }

    private static Rejected shuttingDown() {
        return new Rejected(Rejected.Reason.SHUTTING_DOWN, "the server is shutting down; retry once it is back");
    }

    /** The future's value, or the failure it was completed with, as the checked exception it is. */
    private static <T, E extends Exception> T join(CompletableFuture<T> future, Class<E> failure) throws E {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (failure.isInstance(e.getCause())) {
                throw failure.cast(e.getCause());
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} under the lock; what it adds to its list runs after unlocking, so no foreign code (a waiter's
     * continuation, a sandbox's destroy) ever runs under the lock.
     */
    private void locked(Consumer<List<Runnable>> work) {
        lockedFor(after -> {
            work.accept(after);
            return null;
        });
    }

    private <T> T lockedFor(Function<List<Runnable>, T> work) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            return work.apply(after);
        } finally {
            lock.unlock();
            run(after);
        }
    }

    private static void run(List<Runnable> after) {
        for (Runnable action : after) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.warn("Pool follow-up action failed: {}", e.toString());
            }
        }
    }

    private static void closeQuietly(WorkerChannel channel) {
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // the sandbox is being destroyed anyway
        }
    }
}

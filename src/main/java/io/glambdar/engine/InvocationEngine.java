package io.glambdar.engine;

import io.glambdar.engine.pool.ContainerPool;
import io.glambdar.engine.time.EngineClock;
import io.glambdar.engine.time.SystemEngineClock;
import io.glambdar.sandbox.SandboxBackend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs invocations on containers from a {@link SandboxBackend}: warm single-use pools, reuse mode, admission by
 * memory and per-function concurrency, deadlines over every phase. The policy lives in {@link ContainerPool}; this
 * is the engine's face to the use cases.
 */
public final class InvocationEngine implements Invoker, AutoCloseable {

    private final ContainerPool pool;
    private final EngineClock clock;
    private final AutoCloseable ownedClock;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private final FunctionOutputLog serverLog = new FunctionOutputLog();

    /** An engine on the real clock. */
    public InvocationEngine(SandboxBackend backend, EngineSettings settings) {
        this(backend, settings, new SystemEngineClock());
    }

    /** An engine on {@code clock}; if the clock is {@link AutoCloseable}, the engine closes it. */
    public InvocationEngine(SandboxBackend backend, EngineSettings settings, EngineClock clock) {
        this.clock = clock;
        this.ownedClock = clock instanceof AutoCloseable closeable ? closeable : null;
        this.pool = new ContainerPool(backend, settings, clock, background);
    }

    @Override
    public InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request,
                                   OutputListener output, AdmissionListener admission) {
        InvocationResult result = new InvocationRun(pool, clock, invocationId, fn, request, output, admission).run();
        serverLog.submit(fn.name(), result);
        return result;
    }

    @Override
    public void warm(DeployedFunction fn) {
        pool.warm(fn);
    }

    @Override
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        return pool.retire(fn);
    }

    /** Right now: containers, memory reserved against the budget, invocations waiting and running. */
    public ContainerPool.Load load() {
        return pool.load();
    }

    /** Every container right now, by state: what the metrics' {@code glambdar_containers} gauges show. */
    public ContainerCounts containers() {
        return pool.containers();
    }

    @Override
    public ContainerCounts containers(String functionName) {
        return pool.containersOf(functionName);
    }

    /**
     * Refuses new invocations and waits up to {@code grace} for running ones to finish. Returns whether they all did.
     */
    public boolean drain(Duration grace) {
        return pool.drain(grace);
    }

    /**
     * Removes every container, those still serving included, and waits (bounded) until every invocation has returned
     * its result, so that the layers above have recorded them before they close.
     */
    @Override
    public void close() {
        pool.close();
        background.shutdown();
        serverLog.close();
        if (ownedClock != null) {
            try {
                ownedClock.close();
            } catch (Exception ignored) {
                // a timer thread
            }
        }
    }
}

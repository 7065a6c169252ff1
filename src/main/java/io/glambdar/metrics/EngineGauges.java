package io.glambdar.metrics;

import io.glambdar.engine.ContainerCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * The gauges read at each scrape: containers by state ({@code glambdar_containers}), memory reserved
 * ({@code glambdar_memory_reserved_bytes}), invocations waiting ({@code glambdar_invocations_waiting}) and the
 * asynchronous jobs queued ({@code glambdar_async_queue_depth}).
 */
final class EngineGauges implements MeterBinder {

    static final String CONTAINERS = "glambdar.containers";
    static final String MEMORY_RESERVED = "glambdar.memory.reserved";
    static final String WAITING = "glambdar.invocations.waiting";
    static final String QUEUE_DEPTH = "glambdar.async.queue.depth";

    private final EngineState engine;
    private final LongSupplier asyncQueued;
    /** The containers by state, read once for each scrape: its four gauges show one moment, under one pool lock. */
    private volatile ContainerCounts containers = ContainerCounts.NONE;

    /** @param asyncQueued the jobs queued now (one count in the store) */
    EngineGauges(EngineState engine, LongSupplier asyncQueued) {
        this.engine = engine;
        this.asyncQueued = asyncQueued;
    }

    /** Reads what the containers' gauges show, for the scrape about to be made. */
    void read() {
        containers = engine.containers();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        container(registry, "starting", ContainerCounts::starting);
        container(registry, "warm", ContainerCounts::warm);
        container(registry, "busy", ContainerCounts::busy);
        container(registry, "removing", ContainerCounts::removing);
        Gauge.builder(MEMORY_RESERVED, engine, EngineState::memoryReservedBytes)
                .description("Memory the live containers reserve against GLAMBDAR_MAX_MEMORY_MB")
                .baseUnit(BaseUnits.BYTES).strongReference(true).register(registry);
        Gauge.builder(WAITING, engine, EngineState::invocationsWaiting)
                .description("Invocations waiting for capacity")
                .strongReference(true).register(registry);
        Gauge.builder(QUEUE_DEPTH, asyncQueued, LongSupplier::getAsLong)
                .description("Asynchronous invocations queued, those waiting for a retry included")
                .strongReference(true).register(registry);
    }

    private void container(MeterRegistry registry, String state, ToIntFunction<ContainerCounts> count) {
        Gauge.builder(CONTAINERS, this, gauges -> count.applyAsInt(gauges.containers))
                .description("Function containers by state (warm: started and idle)")
                .tag("state", state).strongReference(true).register(registry);
    }
}

package io.glambdar.metrics;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.InvocationEngine;

/** What the engine's gauges read, at each scrape: derived from the engine's state then, never counted by hand. */
public interface EngineState {

    /** Every container, by state. */
    ContainerCounts containers();

    /** The memory live containers reserve against GLAMBDAR_MAX_MEMORY_MB. */
    long memoryReservedBytes();

    /** Invocations waiting for capacity. */
    int invocationsWaiting();

    static EngineState of(InvocationEngine engine) {
        return new EngineState() {
            @Override
            public ContainerCounts containers() {
                return engine.containers();
            }

            @Override
            public long memoryReservedBytes() {
                return engine.load().memoryReservedMb() * 1024 * 1024;
            }

            @Override
            public int invocationsWaiting() {
                return engine.load().waiting();
            }
        };
    }
}

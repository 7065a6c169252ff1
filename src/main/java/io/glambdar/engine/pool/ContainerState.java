package io.glambdar.engine.pool;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a container is in its life. The arrows: STARTING → IDLE | BUSY | REMOVING; IDLE → BUSY | REMOVING;
 * BUSY → IDLE | REMOVING; REMOVING → GONE. Every container reserves its memory until it is GONE.
 */
public enum ContainerState {
    /** Being created and started, until its worker connected and loaded the function. */
    STARTING,
    /** Started and waiting for an invocation (a warm container). */
    IDLE,
    /** Serving exactly one invocation. */
    BUSY,
    /** On its way out: killed and being removed, its memory not free yet. */
    REMOVING,
    /** Removed; it no longer counts for anything. */
    GONE;

    private Set<ContainerState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(IDLE, BUSY, REMOVING);
            case IDLE -> EnumSet.of(BUSY, REMOVING);
            case BUSY -> EnumSet.of(IDLE, REMOVING);
            case REMOVING -> EnumSet.of(GONE);
            case GONE -> EnumSet.noneOf(ContainerState.class);
        };
    }

    boolean canMoveTo(ContainerState target) {
        return next().contains(target);
    }
}

package io.glambdar.engine.fake;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for another thread to reach a state the test set up (an invocation queued, a container started): it yields
 * until the condition holds. Never a timing judgement: the bound only keeps a broken test from hanging the build.
 */
public final class Until {

    private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(20);

    private Until() {
    }

    public static void holds(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("never happened: " + what);
            }
            Thread.yield();
        }
    }
}

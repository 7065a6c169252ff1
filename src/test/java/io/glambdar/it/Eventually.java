package io.glambdar.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waits for background work (container removal) without timing assertions: generous bounds, fail with context. */
public final class Eventually {

    private Eventually() {
    }

    public static void holds(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still not true after " + within.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Every container the server made is gone (removal happens off the response path). */
    static void noContainers(Harness glambdar) {
        holds("no container left for " + glambdar.dir, Duration.ofSeconds(30), () -> glambdar.containers().isEmpty());
        assertThat(glambdar.containers()).isEmpty();
    }
}

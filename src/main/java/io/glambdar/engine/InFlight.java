package io.glambdar.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Invocations running for one deployment, so that deleting it can wait for them without locking the invoke path. */
final class InFlight {

    private final AtomicInteger count = new AtomicInteger();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean retiring;

    void enter() {
        count.incrementAndGet();
    }

    void exit() {
        if (count.decrementAndGet() == 0 && retiring) {
            drained.complete(null);
        }
    }

    int count() {
        return count.get();
    }

    /** Completes once no invocation of this deployment is running. */
    CompletableFuture<Void> retire() {
        retiring = true;
        if (count.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }
}

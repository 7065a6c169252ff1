package io.glambdar.usecase;

import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An invocation the fake engine holds until the test lets it end: for what happens while one is running.
 *
 * @param <T> what the call returns
 */
final class HeldInvocation<T> {

    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CompletableFuture<T> result;

    /**
     * Runs {@code invoke} on another thread; the engine holds it, then ends it with {@code outcome}. Returns once the
     * invocation is in the engine.
     */
    static <T> HeldInvocation<T> start(FakeInvoker invoker, InvocationResult outcome, Supplier<T> invoke) {
        return new HeldInvocation<>(invoker, outcome, invoke);
    }

    private HeldInvocation(FakeInvoker invoker, InvocationResult outcome, Supplier<T> invoke) {
        invoker.answer((fn, request) -> {
            arrived.countDown();
            await(released);
            return outcome;
        });
        result = CompletableFuture.supplyAsync(invoke);
        await(arrived);
    }

    /** The engine ends the invocation. */
    void release() {
        released.countDown();
    }

    /** What the invocation returned, once it has. */
    T result() throws Exception {
        return result.get(30, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("not released within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Starts blocking calls for tests that then unblock them from another thread (a close, as a deadline would). */
final class BlockedCalls {

    /** Only keeps a broken test from hanging the build. */
    private static final long HANG_GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    private BlockedCalls() {
    }

    /**
     * Runs {@code call} on one of {@code virtualThreads} and returns once that thread is parked, i.e. really blocked
     * in I/O: the point is to interrupt a blocked call, not one that has not started yet.
     */
    static <T> Future<T> start(ExecutorService virtualThreads, Callable<T> call) {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<T> future = virtualThreads.submit(() -> {
            thread.set(Thread.currentThread());
            return call.call();
        });
        long deadline = System.nanoTime() + HANG_GUARD_NANOS;
        while (!(thread.get() != null && thread.get().getState() == Thread.State.WAITING) && !future.isDone()) {
            assertThat(System.nanoTime() - deadline).as("the call never blocked").isNegative();
            Thread.yield();
        }
        return future;
    }
}

package io.glambdar.engine.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The real clock: {@link System#nanoTime()} and one daemon timer thread. */
public final class SystemEngineClock implements EngineClock, AutoCloseable {

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "engine-timers");
        thread.setDaemon(true);
        return thread;
    });

    public SystemEngineClock() {
        timers.setRemoveOnCancelPolicy(true); // nearly every deadline is cancelled: don't let them pile up
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> future = timers.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}

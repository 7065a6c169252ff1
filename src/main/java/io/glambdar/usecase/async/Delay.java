package io.glambdar.usecase.async;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs a task after a delay unless it is cancelled first. */
@FunctionalInterface
interface Delay {

    /** At once, on the caller's thread (tests). */
    Delay NONE = (delay, task) -> {
        task.run();
        return () -> {
        };
    };

    /** @return cancels the task if it has not begun */
    Runnable after(Duration delay, Runnable task);

    /** On {@code timer}, each task then on a virtual thread of its own (a task may block, on the database say). */
    static Delay on(ScheduledExecutorService timer) {
        return (delay, task) -> {
            var scheduled = timer.schedule(() -> Thread.ofVirtual().start(task), delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> scheduled.cancel(false);
        };
    }
}

package io.glambdar.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies what functions print into the server log (logger {@code io.glambdar.function}), off the invocation path:
 * invocations hand their output to a bounded queue and never wait for the log; a single thread writes it out. When
 * functions print faster than the log takes it, the excess is dropped and the drop is reported, rather than slowing
 * invocations down or holding unbounded memory. The output itself stays readable per invocation either way.
 */
final class FunctionOutputLog implements AutoCloseable {

    private static final Logger functionOutput = LoggerFactory.getLogger("io.glambdar.function");
    private static final int QUEUE_CAPACITY = 1024;

    private record Entry(String function, String invocationId, String logs, String failure) {
    }

    /** Tells the writer everything before it has been written. */
    private static final Entry END = new Entry("", "", "", null);

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    FunctionOutputLog() {
        writer = Thread.ofPlatform().daemon().name("function-output").start(this::write);
    }

    /** Queues what one invocation printed (and why it failed, if it did); never blocks. */
    void submit(String function, InvocationResult result) {
        if (!functionOutput.isInfoEnabled() || closed) {
            return;
        }
        String failure = result instanceof InvocationResult.Failed failed
                ? "failed (" + failed.code() + "): " + failed.message() : null;
        if (result.logs().isEmpty() && failure == null) {
            return;
        }
        if (!queue.offer(new Entry(function, result.invocationId(), result.logs(), failure))) {
            dropped.incrementAndGet();
        }
    }

    private void write() {
        try {
            for (Entry entry = queue.take(); entry != END; entry = queue.take()) {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    functionOutput.warn("{} invocations' output was left out of this log: functions printed faster"
                            + " than it could be written (GET /logs/<name>/<id> still has it)", lost);
                }
                writeOut(entry);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeOut(Entry entry) {
        entry.logs().lines().forEach(line ->
                functionOutput.info("{} {} | {}", entry.function(), entry.invocationId(), line));
        if (entry.failure() != null) {
            functionOutput.info("{} {} {}", entry.function(), entry.invocationId(), entry.failure());
        }
    }

    /** Writes out what is queued (for at most a second), then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            if (!queue.offer(END, 1, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }
}

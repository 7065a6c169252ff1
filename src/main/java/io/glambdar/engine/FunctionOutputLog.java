package io.glambdar.engine;

import io.glambdar.ipc.SafeText;

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
    static final int QUEUE_CAPACITY = 1024;

    /** One invocation's output, and why it failed if it did. */
    record Entry(String function, String invocationId, String logs, String failure) {
    }

    /** Where entries end up: the server log, or a test's. */
    interface Sink {
        void write(Entry entry);

        void dropped(long entries);
    }

    /** Tells the writer everything before it has been written. */
    private static final Entry END = new Entry("", "", "", null);

    private final BlockingQueue<Entry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Sink sink;
    private final boolean enabled;
    private final Thread writer;
    private volatile boolean closed;

    FunctionOutputLog() {
        this(new ServerLog(), QUEUE_CAPACITY, functionOutput.isInfoEnabled());
    }

    FunctionOutputLog(Sink sink, int capacity, boolean enabled) {
        this.sink = sink;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.enabled = enabled;
        this.writer = Thread.ofPlatform().daemon().name("function-output").start(this::write);
    }

    /** Queues what one invocation printed (and why it failed, if it did); never blocks. */
    void submit(String function, InvocationResult result) {
        if (!enabled || closed) {
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
                    sink.dropped(lost);
                }
                sink.write(entry);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes out what is queued (for at most a second), then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            if (queue.offer(END, 1, TimeUnit.SECONDS)) {
                writer.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.interrupt();
    }

    /** One log line per line printed, tagged with the function and the invocation. */
    private static final class ServerLog implements Sink {
        @Override
        public void write(Entry entry) {
            entry.logs().lines().forEach(line -> functionOutput.info("{} {} | {}", entry.function(),
                    entry.invocationId(), SafeText.printable(line)));
            if (entry.failure() != null) {
                functionOutput.info("{} {} {}", entry.function(), entry.invocationId(),
                        SafeText.printable(entry.failure()));
            }
        }

        @Override
        public void dropped(long entries) {
            functionOutput.warn("{} invocations' output was left out of this log: functions printed faster than it"
                    + " could be written (GET /logs/<name>/<id> still has it)", entries);
        }
    }
}

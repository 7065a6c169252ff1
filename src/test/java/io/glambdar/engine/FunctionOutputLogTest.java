package io.glambdar.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Review defect e: function output was written to the server log synchronously, on the invocation's thread. */
class FunctionOutputLogTest {

    /** A log that blocks until the test lets it go, as a slow disk or a full pipe would. */
    private static final class StuckLog implements FunctionOutputLog.Sink {
        final CountDownLatch release = new CountDownLatch(1);
        final List<FunctionOutputLog.Entry> written = new CopyOnWriteArrayList<>();
        final AtomicLong dropped = new AtomicLong();

        @Override
        public void write(FunctionOutputLog.Entry entry) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(entry);
        }

        @Override
        public void dropped(long entries) {
            dropped.addAndGet(entries);
        }
    }

    private static InvocationResult printed(int i) {
        return new InvocationResult.Completed("inv-" + i, 200, java.util.Map.of(), new byte[0], "line " + i + "\n",
                1, false, 0);
    }

    @Test
    void invocationsNeverWaitForTheLogAndWhatDoesNotFitIsCountedAsDropped() {
        StuckLog log = new StuckLog();
        FunctionOutputLog output = new FunctionOutputLog(log, 8, true);
        // The log is stuck: every submit must still return, on this thread, without waiting.
        for (int i = 0; i < 1000; i++) {
            output.submit("chatty", printed(i));
        }
        log.release.countDown();
        output.close();
        assertThat(log.written).isNotEmpty().hasSizeLessThanOrEqualTo(1 + 8); // the one in hand, and the queue
        assertThat(log.written.getFirst().logs()).isEqualTo("line 0\n");
        assertThat(log.dropped.get() + log.written.size()).as("every invocation written or counted").isEqualTo(1000);
    }

    @Test
    void failuresAreWrittenWithTheirCodeAndQuietSuccessesNotAtAll() {
        StuckLog log = new StuckLog();
        log.release.countDown();
        FunctionOutputLog output = new FunctionOutputLog(log, 8, true);
        output.submit("quiet", new InvocationResult.Completed("ok-1", 200, java.util.Map.of(), new byte[0], "", 1,
                false, 0));
        output.submit("broken", new InvocationResult.Failed("bad-1", InvocationResult.Failure.FUNCTION_ERROR,
                "handler_threw", "boom", "", 1, 0, false, 0));
        output.close();
        assertThat(log.written).singleElement().satisfies(entry -> {
            assertThat(entry.invocationId()).isEqualTo("bad-1");
            assertThat(entry.failure()).isEqualTo("failed (handler_threw): boom");
        });
    }
}

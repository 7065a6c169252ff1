package io.glambdar.usecase.logs;

import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.OutputListener;
import io.glambdar.store.MutableClock;
import io.glambdar.usecase.InvokeFunction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LogHubTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");
    private static final Duration MAX_STALL = Duration.ofSeconds(10);
    private final MutableClock clock = new MutableClock(T0);
    private final LogHub hub = new LogHub(clock, 10_000, MAX_STALL);

    @Test
    void everyFollowerOfAFunctionGetsItsLinesAndReportsInOrderAndNoOtherFunctions() throws Exception {
        Follower first = hub.follow("f");
        Follower second = hub.follow("f");
        Follower other = hub.follow("g");

        OutputListener output = hub.output("f", "inv-1");
        output.line(OutputListener.Stream.STDOUT, "hello");
        output.line(OutputListener.Stream.STDERR, "oops");
        hub.ended(new InvokeFunction.Invoked("f", 3, new InvocationResult.Completed("inv-1", 201, Map.of(),
                new byte[0], "hello\noops\n", 12, true, 300, 41_000_000L)));

        List<LogEvent> expected = List.of(
                new LogEvent.Line(T0, "inv-1", "stdout", "hello"),
                new LogEvent.Line(T0, "inv-1", "stderr", "oops"),
                new LogEvent.Report("inv-1", "ok", 201, 12, 300, true, 41_000_000L));
        assertThat(drain(first)).isEqualTo(expected);
        assertThat(drain(second)).isEqualTo(expected);
        assertThat(drain(other)).isEmpty();
    }

    @Test
    void aFailedInvocationsReportHasItsOutcomeAndTheStatusItsCallerGot() throws Exception {
        Follower follower = hub.follow("f");

        hub.ended(new InvokeFunction.Invoked("f", 1, new InvocationResult.Failed("inv-2",
                InvocationResult.Failure.OVERLOADED, "overloaded", "busy", "", 4, 1, false, 0)));
        hub.ended(new InvokeFunction.Invoked("f", 1, new InvocationResult.Failed("inv-3",
                InvocationResult.Failure.TIMEOUT, "timeout", "slow", "", 1000, 0, false, 0)));

        hub.ended(new InvokeFunction.Invoked("f", 1, new InvocationResult.Failed("inv-4",
                InvocationResult.Failure.FUNCTION_ERROR, "handler_threw", "no", "", 7, 0, false, 0)));
        hub.ended(new InvokeFunction.Invoked("f", 1, new InvocationResult.Failed("inv-5",
                InvocationResult.Failure.UNAVAILABLE, "sandbox_failed", "docker", "", 2, 0, false, 0)));

        assertThat(drain(follower)).containsExactly(
                new LogEvent.Report("inv-2", "throttled", 429, 4, 0, false, null),
                new LogEvent.Report("inv-3", "timeout", 504, 1000, 0, false, null),
                new LogEvent.Report("inv-4", "error", 502, 7, 0, false, null),
                new LogEvent.Report("inv-5", "error", 503, 2, 0, false, null));
    }

    @Test
    void aBurstOfManyLinesAtOnceIsKeptForAFollowerThatThenTakesThem() throws Exception {
        LogHub roomy = new LogHub(clock); // the server's bounds
        Follower follower = roomy.follow("f");
        OutputListener output = roomy.output("f", "inv");

        for (int i = 0; i < 5_000; i++) { // one event-loop turn's worth, published before anyone could take any
            output.line(OutputListener.Stream.STDOUT, "spam line " + i);
        }

        assertThat(drain(follower)).hasSize(5_000).last()
                .isEqualTo(new LogEvent.Line(T0, "inv", "stdout", "spam line 4999"));
    }

    @Test
    void aFollowerWhoseBacklogOverflowsIsDroppedWithTooSlowWhileTheOthersGetEverything() throws Exception {
        Follower slow = hub.follow("f");
        Follower keepingUp = hub.follow("f");
        AtomicInteger dropped = new AtomicInteger();
        slow.onDropped(dropped::incrementAndGet);
        OutputListener output = hub.output("f", "inv");
        List<LogEvent> received = new ArrayList<>();

        for (int i = 0; i < 8; i++) { // 1,000 chars: about 2 KB each, over 10,000 bytes from the fifth
            output.line(OutputListener.Stream.STDOUT, i + "x".repeat(999));
            received.add(keepingUp.next(Duration.ZERO));
        }

        assertThat(dropped).hasValue(1);
        assertThat(slow.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.TOO_SLOW));
        assertThat(slow.next(Duration.ZERO)).isNull();
        assertThat(hub.followers("f")).isEqualTo(1);
        assertThat(received).extracting(event -> ((LogEvent.Line) event).line().charAt(0))
                .containsExactly('0', '1', '2', '3', '4', '5', '6', '7');
    }

    @Test
    void theBacklogIsBoundedInBytes() throws Exception {
        Follower follower = hub.follow("f");

        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "x".repeat(6_000)); // 12 KB as chars: over 10,000

        assertThat(follower.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.TOO_SLOW));
    }

    @Test
    void aFollowerThatTakesNothingForLongerThanTheStallBoundWhileLinesWaitIsDroppedTheOneTakingThemIsNot()
            throws Exception {
        Follower stalled = hub.follow("f");
        Follower slowButMoving = hub.follow("f");
        OutputListener output = hub.output("f", "inv");

        for (int second = 0; second <= 10; second++) {
            output.line(OutputListener.Stream.STDOUT, "second " + second);
            output.line(OutputListener.Stream.STDOUT, "more");
            assertThat(slowButMoving.next(Duration.ZERO)).isNotNull(); // takes half of what comes: ever more behind
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(hub.followers("f")).as("10 s stalled: not yet over the bound").isEqualTo(2);
        output.line(OutputListener.Stream.STDOUT, "eleven seconds on");

        assertThat(hub.followers("f")).isEqualTo(1);
        assertThat(stalled.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.TOO_SLOW));
        assertThat(drain(slowButMoving)).hasSize(12).last()
                .isEqualTo(new LogEvent.Line(T0.plusSeconds(11), "inv", "stdout", "eleven seconds on"));
    }

    @Test
    void aFollowerThatWasCaughtUpIsNotStalledHoweverLongItWasQuiet() throws Exception {
        Follower follower = hub.follow("f");
        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "early");
        follower.next(Duration.ZERO);

        clock.advance(Duration.ofHours(1));
        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "an hour later");

        assertThat(follower.next(Duration.ZERO)).isEqualTo(
                new LogEvent.Line(T0.plus(Duration.ofHours(1)), "inv", "stdout", "an hour later"));
    }

    @Test
    void aLinesTimeHasMillisecondPrecision() throws Exception {
        Follower follower = hub.follow("f");
        clock.set(Instant.parse("2025-04-01T12:00:24.510954633Z"));

        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "hi");

        assertThat(((LogEvent.Line) follower.next(Duration.ZERO)).ts()).isEqualTo("2025-04-01T12:00:24.510Z");
    }

    @Test
    void deletingTheFunctionEndsEveryStreamAfterWhatWasWaiting() throws Exception {
        Follower follower = hub.follow("f");
        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "last words");

        hub.deleted("f");
        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "after the delete");

        assertThat(follower.next(Duration.ZERO)).isEqualTo(new LogEvent.Line(T0, "inv", "stdout", "last words"));
        assertThat(follower.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.DELETED));
        assertThat(follower.next(Duration.ZERO)).isNull();
        assertThat(hub.followers("f")).isZero();
    }

    @Test
    void aFollowerThatLeftGetsNothingMore() throws Exception {
        Follower leaving = hub.follow("f");
        Follower staying = hub.follow("f");

        leaving.close();
        leaving.close();
        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "hi");

        assertThat(leaving.next(Duration.ZERO)).isNull();
        assertThat(staying.next(Duration.ZERO)).isEqualTo(new LogEvent.Line(T0, "inv", "stdout", "hi"));
        assertThat(hub.followers("f")).isEqualTo(1);
        staying.close();
        assertThat(hub.followers("f")).isZero();
    }

    @Test
    void aWaitingFollowerWakesForAnEventFromAnotherThread() throws Exception {
        Follower follower = hub.follow("f");
        Thread publisher = Thread.ofVirtual().start(() ->
                hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "from afar"));

        // Only a guard: the event wakes the wait long before this.
        assertThat(follower.next(Duration.ofSeconds(30))).isEqualTo(new LogEvent.Line(T0, "inv", "stdout", "from afar"));
        publisher.join();
    }

    @Test
    void atShutdownEveryStreamEndsAndLaterOnesEndAtOnce() throws Exception {
        Follower before = hub.follow("f");

        hub.close();
        Follower after = hub.follow("g");

        assertThat(before.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.SHUTDOWN));
        assertThat(after.next(Duration.ZERO)).isEqualTo(new LogEvent.End(LogEvent.Reason.SHUTDOWN));
        assertThat(hub.followers("g")).isZero();
    }

    @Test
    void readyTellsWhetherAnEventWaits() throws Exception {
        Follower follower = hub.follow("f");
        assertThat(follower.ready()).isFalse();

        hub.output("f", "inv").line(OutputListener.Stream.STDOUT, "hi");

        assertThat(follower.ready()).isTrue();
        follower.next(Duration.ZERO);
        assertThat(follower.ready()).isFalse();
    }

    private static List<LogEvent> drain(Follower follower) throws InterruptedException {
        List<LogEvent> events = new ArrayList<>();
        for (LogEvent event = follower.next(Duration.ZERO); event != null; event = follower.next(Duration.ZERO)) {
            events.add(event);
        }
        return events;
    }
}

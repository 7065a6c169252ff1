package io.glambdar.engine;

import io.glambdar.engine.InvocationResult.Completed;
import io.glambdar.engine.InvocationResult.Failed;
import io.glambdar.engine.fake.FakeSandbox;
import io.glambdar.engine.fake.FakeWorker;
import io.glambdar.engine.fake.Until;
import io.glambdar.ipc.LogStream;
import io.glambdar.ipc.WorkerHello;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.glambdar.engine.EngineHarness.deployed;
import static io.glambdar.engine.EngineHarness.function;
import static io.glambdar.engine.EngineHarness.result;
import static org.assertj.core.api.Assertions.assertThat;

/** What an invocation prints reaches its {@link OutputListener} as lines while it runs; the peak memory comes back. */
class InvocationOutputTest {

    private static final DeployedFunction HELLO = deployed("hello", function(128, 5));

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final OutputListener output = (stream, line) -> lines.add(stream.label() + ":" + line);

    @Test
    void loadingOutputThenEachLineAsPrintedThenThePeakMemoryInTheResult() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            FakeWorker.Call invocation = h.backend.nextLaunch().ready().nextCall();

            invocation.print(LogStream.STDOUT, "working\nhalf a li");
            invocation.print(LogStream.STDERR, "warning\n");

            assertThat(lines).as("before the reply").containsExactly("stdout:loading", "stdout:working",
                    "stderr:warning");
            invocation.print(LogStream.STDOUT, "ne");
            invocation.succeed("{}", 47_000_000L);
            Completed ok = (Completed) result(call);
            assertThat(lines).containsExactly("stdout:loading", "stdout:working", "stderr:warning",
                    "stdout:half a line");
            assertThat(ok.maxMemoryBytes()).isEqualTo(47_000_000L);
            assertThat(ok.outcome()).isEqualTo(Outcome.OK);
        }
    }

    @Test
    void aFailureReplyCarriesThePeakMemoryToo() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            h.backend.nextLaunch().ready().nextCall().throwError("boom");

            Failed failed = (Failed) result(call);

            assertThat(failed.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(failed.maxMemoryBytes()).isNull(); // the fake's failure reports none
        }
    }

    @Test
    void whatTheHandlerThrewWithItsStackFollowsWhatItPrintedOnStderr() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            FakeWorker.Call invocation = h.backend.nextLaunch().ready().nextCall();
            invocation.print(LogStream.STDOUT, "working\n");
            invocation.throwError("boom", "Error: boom\n    at exports.handler (/function/index.js:2:9)", "working\n");

            Failed failed = (Failed) result(call);

            assertThat(failed.logs()).isEqualTo("loading\nworking\nError: boom\n"
                    + "    at exports.handler (/function/index.js:2:9)\n");
            assertThat(lines).containsExactly("stdout:loading", "stdout:working", "stderr:Error: boom",
                    "stderr:    at exports.handler (/function/index.js:2:9)");
        }
    }

    @Test
    void aThrownValueWithoutAStackIsLoggedByItsMessage() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            h.backend.nextLaunch().ready().nextCall().throwError("{ code: 42 }", null, "");

            Failed failed = (Failed) result(call);

            assertThat(failed.logs()).isEqualTo("loading\n{ code: 42 }\n");
            assertThat(lines).containsExactly("stdout:loading", "stderr:{ code: 42 }");
        }
    }

    @Test
    void aLoadErrorsStackFollowsWhatLoadingPrinted() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            h.backend.nextLaunch().connects(new WorkerHello(false, "v22", "load_failed",
                    "index.js failed to load: config missing", "Error: config missing\n    at /function/index.js:1:7",
                    "reading config\n"));

            Failed failed = (Failed) result(call);

            assertThat(failed.code()).isEqualTo("load_failed");
            assertThat(failed.logs()).isEqualTo("reading config\nError: config missing\n"
                    + "    at /function/index.js:1:7\n");
            assertThat(lines).containsExactly("stdout:reading config", "stderr:Error: config missing",
                    "stderr:    at /function/index.js:1:7");
        }
    }

    @Test
    void aCrashedProcessesOwnRecordAddsTheLinesItsLogFramesNeverBrought() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            FakeSandbox sandbox = h.backend.nextLaunch();
            FakeWorker.Call invocation = sandbox.ready().nextCall();
            invocation.print(LogStream.STDOUT, "step 1\n");
            sandbox.exited(137, true, "loading\nstep 1\nstep 2, never sent\n");

            invocation.crash();
            Failed failed = (Failed) result(call);

            assertThat(failed.code()).isEqualTo("out_of_memory");
            assertThat(failed.maxMemoryBytes()).as("it never replied").isNull();
            assertThat(lines).containsExactly("stdout:loading", "stdout:step 1", "stdout:step 2, never sent");
            assertThat(failed.logs()).as("the process's own record").endsWith("step 1\nstep 2, never sent\n");
            Until.holds("removed", sandbox::destroyed);
        }
    }

    @Test
    void aProcessThatRanOutOfJavaScriptHeapIsOutOfMemoryNamingTheHeapsLimit() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            FakeSandbox sandbox = h.backend.nextLaunch();
            FakeWorker.Call invocation = sandbox.connects(new WorkerHello(true, "v22.0.0", null, null, null, "", "ok",
                    96L * 1024 * 1024)).nextCall();
            sandbox.exited(134, false, "\n<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed"
                    + " - JavaScript heap out of memory\n----- Native stack trace -----\n");

            invocation.crash();
            Failed failed = (Failed) result(call);

            assertThat(failed.code()).isEqualTo("out_of_memory");
            assertThat(failed.message()).isEqualTo("function 'hello' failed: its process ran out of memory: its"
                    + " JavaScript heap reached its limit of 96 MB, which Node sets from the function's 128 MB"
                    + " \"memory\" (raise \"memory\" in glambdar.json, or hold less in memory at once)");
            assertThat(failed.logs()).contains("FATAL ERROR: Reached heap limit");
        }
    }

    @Test
    void aLostProcessWhoseOwnRecordLacksWhatItsLogFramesBroughtKeepsThoseInItsLogs() {
        // Docker writes its record asynchronously and is read within a short budget: it may come back short or empty.
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            FakeSandbox sandbox = h.backend.nextLaunch();
            FakeWorker.Call invocation = sandbox.ready().nextCall();
            invocation.print(LogStream.STDOUT, "ran attempt 1\n");
            invocation.print(LogStream.STDERR, "half a li");
            sandbox.exited(1, false, "");

            invocation.crash();
            Failed failed = (Failed) result(call);

            assertThat(failed.code()).isEqualTo("process_exited");
            assertThat(failed.logs()).isEqualTo("loading\nran attempt 1\nhalf a li");
            assertThat(lines).containsExactly("stdout:loading", "stdout:ran attempt 1", "stderr:half a li");
        }
    }

    @Test
    void aProcessThatDiesWhileLoadingShowsWhatItPrinted() {
        try (EngineHarness h = new EngineHarness()) {
            CompletableFuture<InvocationResult> call = h.invoke(HELLO, output);
            h.backend.nextLaunch().exitsBeforeConnecting(1, "Error: bad NODE_OPTIONS\n");

            Failed failed = (Failed) result(call);

            assertThat(failed.code()).isEqualTo("process_exited");
            assertThat(lines).containsExactly("stdout:Error: bad NODE_OPTIONS");
        }
    }
}

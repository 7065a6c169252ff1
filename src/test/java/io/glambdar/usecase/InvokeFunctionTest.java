package io.glambdar.usecase;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.engine.OutputListener;
import io.glambdar.store.Concurrently;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.invocations.InvocationRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.glambdar.engine.FakeInvoker.failed;
import static io.glambdar.engine.FakeInvoker.ok;
import static io.glambdar.store.TestStore.T0;
import static io.glambdar.store.TestStore.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InvokeFunctionTest {

    private static final InvocationRequest REQUEST = new InvocationRequest("POST", "/invoke/f", "a=1",
            Map.of("content-type", List.of("application/json")), "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;
    private InvokeFunction invokeFunction;
    private FunctionQueries queries;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        wire();
    }

    private void wire() {
        invokeFunction = new InvokeFunction(store.catalog, invoker, store.clock);
        queries = new FunctionQueries(store.catalog, invoker, store.jobs);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void restart() {
        store.restart();
        wire();
    }

    @Test
    void theEngineRunsTheDeploymentFoundWithItsOwnCodeAndSettings() {
        StoredFunction f = store.deploy("f", "// f");

        InvokeFunction.Invoked invoked = invokeFunction.invoke("f", REQUEST);

        assertThat(invoked.result().invocationId()).isEqualTo("inv-1");
        assertThat(invoked.version()).isEqualTo(1);
        assertThat(invoker.invocations).singleElement().satisfies(call -> {
            assertThat(call.fn()).isEqualTo(new DeployedFunction("f", f.active().deploymentId(),
                    store.deployment(f), f.active().settings()));
            assertThat(call.request()).isSameAs(REQUEST);
        });
    }

    @Test
    void everyInvocationThatRanIsCountedButNoneThatWasRefused() {
        store.deploy("f", "// f");
        List<InvocationResult> answers = List.of(
                ok("i1", "{}"),
                failed("i2", Failure.FUNCTION_ERROR, "handler_threw"),
                failed("i3", Failure.TIMEOUT, "timeout"),
                failed("i4", Failure.OVERLOADED, "overloaded"),
                failed("i5", Failure.UNAVAILABLE, "unavailable"),
                failed("i6", Failure.GONE, "gone"),
                new InvocationResult.Completed("i7", 500, Map.of(), utf8("\"oops\""), "", 9, false, 0));
        for (InvocationResult answer : answers) {
            invoker.answer((called, request) -> answer);
            assertThat(invokeFunction.invoke("f", REQUEST).result()).isSameAs(answer);
        }

        FunctionInfo info = queries.get("f");
        assertThat(info.invokeCount()).isEqualTo(4);
        assertThat(info.errorCount()).isEqualTo(2);
        assertThat(info.lastStatus()).isEqualTo("ok"); // the function answered 500 itself: it ran fine
        // A throttled call and one the engine could not run (503) are recorded (their callers may look up why they
        // failed, by the id they were given) but not counted: the function never ran.
        assertThat(queries.recentInvocations("f")).extracting(InvocationRecord::invocationId, InvocationRecord::outcome)
                .containsExactly(tuple("i7", "ok"), tuple("i5", "error"), tuple("i4", "throttled"),
                        tuple("i3", "timeout"), tuple("i2", "error"), tuple("i1", "ok"));
    }

    @Test
    void anAsynchronousAttemptTheEngineCouldNotRunIsNotRecordedItsJobGoesBackToTheQueue() {
        store.deploy("f", "// f");
        FunctionReference.Resolved resolved = FunctionReference.parse("f").resolve(store.catalog);
        invoker.answer((called, request) -> failed("job-1", Failure.UNAVAILABLE, "shutting_down"));
        invokeFunction.invokeAttempt(resolved, "job-1", REQUEST, AdmissionListener.NONE);
        invoker.answer((called, request) -> ok("job-1", "{}"));
        invokeFunction.invokeAttempt(resolved, "job-1", REQUEST, AdmissionListener.NONE);

        assertThat(queries.recentInvocations("f")).extracting(InvocationRecord::invocationId, InvocationRecord::outcome)
                .containsExactly(tuple("job-1", "ok"));
        assertThat(queries.get("f").invokeCount()).isEqualTo(1);
    }

    @Test
    void theRecordSaysHowTheInvocationWentWithTheStatusItsCallerGotAndWhetherItWaitedForAContainer() {
        store.deploy("f", "// f");
        store.clock.set(T0.plusSeconds(42));
        invoker.answer((fn, request) -> new InvocationResult.Completed("cold", 201, Map.of(), new byte[0],
                "printed\n", 420, true, 380));
        invokeFunction.invoke("f", REQUEST);
        store.clock.set(T0.plusSeconds(43));
        invoker.answer((fn, request) -> new InvocationResult.Failed("warm", Failure.FUNCTION_ERROR, "handler_threw",
                "boom", "stack\n", 3, 0, false, 0));
        invokeFunction.invoke("f", REQUEST);

        assertThat(queries.invocation("f", "cold")).contains(new InvocationRecord("cold", T0.plusSeconds(42), 420,
                "ok", 201, null, true, 380, null, "ok", "printed\n"));
        assertThat(queries.invocation("f", "warm")).contains(new InvocationRecord("warm", T0.plusSeconds(43), 3,
                "error", 502, "handler_threw", false, 0, null, "error", "stack\n"));
    }

    @Test
    void theRecordCarriesTheReportsPeakMemoryAndOutcome() {
        store.deploy("f", "// f");
        invoker.answer((fn, request) -> new InvocationResult.Failed("slow", Failure.TIMEOUT, "timeout", "too slow",
                "", 1000, 0, false, 0, 61_000_000L));

        invokeFunction.invoke("f", REQUEST);

        InvocationRecord record = queries.invocation("f", "slow").orElseThrow();
        assertThat(record.outcome()).isEqualTo("timeout");
        assertThat(record.status()).isEqualTo("timeout");
        assertThat(record.maxMemoryBytes()).isEqualTo(61_000_000L);
    }

    @Test
    void theListenerIsAskedWhereEachInvocationPrintsByFunctionNameAndInvocationId() {
        store.deploy("f", "// f");
        List<String> printed = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        InvocationListener lines = new InvocationListener() {
            @Override
            public void ended(InvokeFunction.Invoked invoked) {
                ended.add(invoked.function() + " ended");
            }

            @Override
            public OutputListener output(String function, String invocationId) {
                return (stream, line) -> printed.add(function + " " + invocationId + " " + stream.label() + " " + line);
            }
        };
        InvocationListener counting = invoked -> ended.add("counted");
        InvokeFunction invoke = new InvokeFunction(store.catalog, invoker, store.clock,
                InvocationListener.all(List.of(lines, counting)));
        invoker.answer((fn, request) -> {
            invoker.print(OutputListener.Stream.STDERR, "hi");
            return ok(invoker.currentId(), "{}");
        });

        InvokeFunction.Invoked invoked = invoke.invoke("f@1", REQUEST);

        assertThat(printed).containsExactly("f " + invoked.result().invocationId() + " stderr hi");
        assertThat(ended).containsExactly("f ended", "counted");
        assertThat(InvocationListener.all(List.of(counting)).output("f", "x")).isSameAs(OutputListener.NONE);
    }

    @Test
    void lastInvocationFieldsDescribeTheLatestCallAndSurviveARestart() {
        store.deploy("f", "// f");
        store.clock.set(T0.plusSeconds(10));
        invoker.answer((fn, request) -> new InvocationResult.Completed("a", 200, Map.of(), new byte[0], "", 12,
                false, 0));
        invokeFunction.invoke("f", REQUEST);
        store.clock.set(T0.plusSeconds(20));
        invoker.answer((fn, request) -> new InvocationResult.Failed("b", Failure.TIMEOUT, "timeout", "too slow", "",
                30_000, 0, false, 0));
        invokeFunction.invoke("f", REQUEST);
        store.clock.set(T0.plusSeconds(30)); // refused: not a call of the function
        invoker.answer((fn, request) -> failed("c", Failure.OVERLOADED, "overloaded"));
        invokeFunction.invoke("f", REQUEST);

        FunctionInfo before = queries.get("f");
        assertThat(before.lastInvokedAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(before.lastStatus()).isEqualTo("timeout");
        assertThat(before.lastDurationMs()).isEqualTo(30_000);
        assertThat(before.invokeCount()).isEqualTo(2);
        assertThat(before.errorCount()).isEqualTo(1);

        restart();

        assertThat(queries.get("f")).isEqualTo(before);
    }

    @Test
    void concurrentInvocationsLoseNoCount() throws Exception {
        store.deploy("busy", "// busy");
        invoker.answer((fn, request) -> {
            String id = new String(request.body(), StandardCharsets.UTF_8);
            int j = Integer.parseInt(id.substring(id.indexOf('-') + 1));
            return switch (j % 10) {
                case 0 -> failed(id, Failure.FUNCTION_ERROR, "handler_threw");
                case 1 -> failed(id, Failure.TIMEOUT, "timeout");
                default -> ok(id, "{}");
            };
        });
        int threads = 16;
        int perThread = 250;
        Concurrently.run(threads, perThread, (thread, j) -> {
            invokeFunction.invoke("busy", new InvocationRequest("POST", "/invoke/busy", "", Map.of(),
                    utf8(thread + "-" + j)));
            if (j % 50 == 0) {
                store.statistics.flush();
            }
        });

        long expectedErrors = (long) threads * perThread / 10 * 2;
        assertThat(queries.get("busy").invokeCount()).isEqualTo(4000);
        assertThat(queries.get("busy").errorCount()).isEqualTo(expectedErrors);
        restart();
        assertThat(queries.get("busy").invokeCount()).isEqualTo(4000);
        assertThat(store.repository.find("busy")).get().satisfies(row -> {
            assertThat(row.invokeCount()).isEqualTo(4000);
            assertThat(row.errorCount()).isEqualTo(expectedErrors);
        });
    }

    @Test
    void anInvocationThatEndsAfterItsFunctionWasDeletedDoesNotCountTowardsANewDeployOfTheName() throws Exception {
        store.deploy("f", "// v1");
        HeldInvocation<InvocationResult> late = HeldInvocation.start(invoker, ok("late", "{}"),
                () -> invokeFunction.invoke("f", REQUEST).result());

        store.catalog.remove("f");
        store.deploy("f", "// v2");
        late.release();

        assertThat(late.result().invocationId()).isEqualTo("late");
        assertThat(queries.recentInvocations("f")).isEmpty();
        assertThat(queries.invocation("f", "late")).isEmpty();
        assertThat(queries.get("f").invokeCount()).isZero();
        assertThat(queries.get("f").lastInvokedAt()).isNull();
        restart();
        assertThat(queries.get("f").invokeCount()).isZero();
    }

    @Test
    void anUnknownFunctionNeverReachesTheEngine() {
        assertThatThrownBy(() -> invokeFunction.invoke("ghost", REQUEST))
                .isInstanceOf(FunctionNotFoundException.class);
        assertThat(invoker.invocations).isEmpty();
        assertThat(invokeFunction.awaitReturned(Duration.ZERO)).isTrue();
    }

    @Test
    void aCallThatThrowsIsNoLongerInFlight() {
        store.deploy("f", "// f");
        invoker.answer((fn, request) -> {
            throw new IllegalStateException("engine bug");
        });

        assertThatThrownBy(() -> invokeFunction.invoke("f", REQUEST)).hasMessage("engine bug");

        assertThat(invokeFunction.awaitReturned(Duration.ZERO)).isTrue();
        assertThat(queries.get("f").invokeCount()).isZero();
    }

    /**
     * The shutdown order: the engine has closed and its last invocations are returning; the statistics' last flush
     * must wait for them, or their counts are lost.
     */
    @Test
    void anInvocationThatFinishesDuringShutdownIsCountedInTheRepository() throws Exception {
        store.deploy("f", "// f");
        HeldInvocation<InvocationResult> running = HeldInvocation.start(invoker,
                failed("killed", Failure.TIMEOUT, "timeout"), () -> invokeFunction.invoke("f", REQUEST).result());

        Thread shutdown = new Thread(() -> {
            invokeFunction.awaitReturned(Duration.ofSeconds(30));
            store.close(); // the statistics' last flush, then the repository
        });
        shutdown.start();
        awaitWaiting(shutdown); // shutdown is under way, waiting for the invocation
        running.release(); // the engine, closing, ends the invocation
        shutdown.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(shutdown.isAlive()).isFalse();
        assertThat(running.result().invocationId()).isEqualTo("killed");

        store.open();
        wire();
        assertThat(store.repository.find("f")).get().satisfies(row -> {
            assertThat(row.invokeCount()).isEqualTo(1);
            assertThat(row.errorCount()).isEqualTo(1);
            assertThat(row.lastStatus()).isEqualTo("timeout");
        });
    }

    private static void awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new AssertionError("the thread did not start waiting: " + thread.getState());
            }
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- versions

    @Test
    void theActiveVersionRunsUnlessAnotherIsNamed() {
        store.deploy("f", "// v1");
        store.update("f", "// v2");
        store.update("f", "// v3");
        StoredFunction f = store.catalog.find("f");

        assertThat(invokeFunction.invoke("f", REQUEST).version()).isEqualTo(3);
        assertRanOn(invoker.invocations.poll(), f.version(3).orElseThrow());

        InvokeFunction.Invoked second = invokeFunction.invoke("f@2", REQUEST);
        assertThat(second.version()).isEqualTo(2);
        Deployment v2 = f.version(2).orElseThrow();
        assertThat(invoker.invocations.poll().fn()).isEqualTo(new DeployedFunction("f", v2.deploymentId(),
                v2.codeDir(), v2.settings()));
        assertThat(v2.codeDir()).isEqualTo(dir.resolve("deployments/f/" + v2.deploymentId()));

        assertThat(invokeFunction.invoke("f@1", REQUEST).version()).isEqualTo(1);
        assertRanOn(invoker.invocations.poll(), f.version(1).orElseThrow());

        store.catalog.rollback("f", 1);
        assertThat(invokeFunction.invoke("f", REQUEST).version()).isEqualTo(1);
        assertThat(invokeFunction.invoke("f@3", REQUEST).version()).isEqualTo(3);
    }

    @Test
    void invocationsOfEveryVersionCountTowardsTheFunction() {
        store.deploy("f", "// v1");
        store.update("f", "// v2");

        invokeFunction.invoke("f", REQUEST);
        invokeFunction.invoke("f@1", REQUEST);

        assertThat(queries.get("f").invokeCount()).isEqualTo(2);
        assertThat(queries.recentInvocations("f")).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f@0", "f@-1", "f@abc", "f@", "f@1@2", "f@01", "f@1.5", "f@ 1", "f@1234567890", "@1",
            "@", "a.b@1"})
    void aBadVersionIsABadRequestThatNeverReachesTheEngine(String reference) {
        store.deploy("f", "// v1");

        assertThatThrownBy(() -> invokeFunction.invoke(reference, REQUEST))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void aVersionThatIsNotKeptIsVersionNotFound() {
        store.deploy("f", "// v1");

        assertThatThrownBy(() -> invokeFunction.invoke("f@999", REQUEST))
                .isInstanceOf(VersionNotFoundException.class)
                .hasMessageContaining("'f'")
                .hasMessageContaining("999");
        assertThatThrownBy(() -> invokeFunction.invoke("f@2", REQUEST)).isInstanceOf(VersionNotFoundException.class);
        assertThatThrownBy(() -> invokeFunction.invoke("ghost@1", REQUEST))
                .isInstanceOf(FunctionNotFoundException.class);
        assertThat(invoker.invocations).isEmpty();
        assertThat(queries.get("f").invokeCount()).isZero();
    }

    @Test
    void anInvocationThatStartedBeforeAnUpdateFinishesOnItsVersionWhileTheNextRunsTheNew() throws Exception {
        store.deploy("f", "// v1");
        Deployment v1 = store.catalog.find("f").active();
        HeldInvocation<InvokeFunction.Invoked> running = HeldInvocation.start(invoker, ok("old", "{}"),
                () -> invokeFunction.invoke("f", REQUEST));

        Deployment v2 = store.update("f", "// v2").deployed();
        invoker.answer((fn, request) -> ok("new", "{}"));
        InvokeFunction.Invoked next = invokeFunction.invoke("f", REQUEST);
        running.release();

        InvokeFunction.Invoked held = running.result();
        assertThat(held.version()).isEqualTo(1);
        assertThat(held.result().invocationId()).isEqualTo("old");
        assertThat(next.version()).isEqualTo(2);
        assertThat(next.result().invocationId()).isEqualTo("new");
        assertThat(invoker.invocations).extracting(call -> call.fn().deploymentId())
                .containsExactly(v1.deploymentId(), v2.deploymentId());
        assertThat(invoker.invocations).extracting(call -> call.fn().codeDir())
                .containsExactly(v1.codeDir(), v2.codeDir());
        // Both count towards the function.
        assertThat(queries.get("f").invokeCount()).isEqualTo(2);
    }

    @Test
    void anInvocationThatStartedBeforeARollbackFinishesOnItsVersion() throws Exception {
        store.deploy("f", "// v1");
        Deployment v2 = store.update("f", "// v2").deployed();
        HeldInvocation<InvokeFunction.Invoked> running = HeldInvocation.start(invoker, ok("on-2", "{}"),
                () -> invokeFunction.invoke("f", REQUEST));

        store.catalog.rollback("f", null);
        invoker.answer((fn, request) -> ok("on-1", "{}"));
        assertThat(invokeFunction.invoke("f", REQUEST).version()).isEqualTo(1);
        running.release();

        assertThat(running.result().version()).isEqualTo(2);
        assertThat(invoker.invocations.peek().fn().deploymentId()).isEqualTo(v2.deploymentId());
    }

    /** The engine call ran that version: its deployment, code and settings. */
    private static void assertRanOn(FakeInvoker.Call call, Deployment version) {
        assertThat(call).isNotNull();
        assertThat(call.fn()).isEqualTo(new DeployedFunction(version.name(), version.deploymentId(),
                version.codeDir(), version.settings()));
    }
}

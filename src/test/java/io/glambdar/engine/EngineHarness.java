package io.glambdar.engine;

import io.glambdar.engine.fake.FakeSandboxBackend;
import io.glambdar.engine.fake.ManualClock;
import io.glambdar.engine.fake.Until;
import io.glambdar.function.FunctionSettings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The real engine on a fake sandbox backend and a manual clock: every step happens when the test says. */
final class EngineHarness implements AutoCloseable {

    final FakeSandboxBackend backend = new FakeSandboxBackend();
    final ManualClock clock = new ManualClock();
    final InvocationEngine engine;
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    EngineHarness(EngineSettings settings) {
        engine = new InvocationEngine(backend, settings, clock);
    }

    EngineHarness() {
        this(settings());
    }

    /**
     * Pools off (no warm starts unless a test turns them on), 1024 MB, a queue of 8 waiting up to 10 s, a used
     * container cleaned up at once.
     */
    static EngineSettings settings() {
        return new EngineSettings(false, 4, 32, Duration.ofSeconds(120), false, 4, 10_000, Duration.ofSeconds(120),
                1024, 8, Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ZERO);
    }

    static FunctionSettings function(int memoryMb, int timeoutSeconds) {
        return new FunctionSettings(Duration.ofSeconds(timeoutSeconds), memoryMb, 0.5, Map.of(), null, null);
    }

    static DeployedFunction deployed(String name, String deploymentId, FunctionSettings settings) {
        return new DeployedFunction(name, deploymentId, Path.of("/tmp/code", name, deploymentId), settings);
    }

    static DeployedFunction deployed(String name, FunctionSettings settings) {
        return deployed(name, name + "-d1", settings);
    }

    static DeployedFunction reuse(DeployedFunction fn) {
        FunctionSettings s = fn.settings();
        return new DeployedFunction(fn.name(), fn.deploymentId(), fn.codeDir(),
                new FunctionSettings(s.timeout(), s.memoryMb(), s.cpus(), s.env(), true, s.concurrency()));
    }

    /** Invokes on a thread of its own: the test then plays the backend's and the worker's part. */
    CompletableFuture<InvocationResult> invoke(DeployedFunction fn) {
        return invoke(fn, OutputListener.NONE);
    }

    /** {@link #invoke(DeployedFunction)}, with the lines the function prints going to {@code output}. */
    CompletableFuture<InvocationResult> invoke(DeployedFunction fn, OutputListener output) {
        return invoke(fn, output, AdmissionListener.NONE);
    }

    /** {@link #invoke(DeployedFunction, OutputListener)}, telling {@code admission} if it waits for capacity. */
    CompletableFuture<InvocationResult> invoke(DeployedFunction fn, OutputListener output,
                                               AdmissionListener admission) {
        InvocationRequest request = new InvocationRequest("POST", "/invoke/" + fn.name(), "", Map.of(
                "content-type", List.of("application/json")), "{}".getBytes(StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> engine.invoke(fn, "inv-" + fn.name(), request, output,
                admission), callers);
    }

    static InvocationResult result(CompletableFuture<InvocationResult> call) {
        try {
            return call.get(20, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("the invocation did not end", e);
        }
    }

    void awaitWaiting(int n) {
        Until.holds(n + " invocations waiting", () -> engine.load().waiting() == n);
    }

    void awaitRunning(int n) {
        Until.holds(n + " invocations running", () -> engine.load().running() == n);
    }

    void awaitContainers(int n) {
        Until.holds(n + " containers alive", () -> engine.load().containers() == n);
    }

    @Override
    public void close() {
        engine.close(); // first: interrupting the callers would fail their invocations for the wrong reason
        callers.shutdownNow();
    }
}

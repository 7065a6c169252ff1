package io.glambdar.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * An {@link Invoker} for tests of the layers above the engine: records every call, answers with whatever the test
 * chose, and hands out {@code retire} futures the test completes itself.
 */
public final class FakeInvoker implements Invoker {

    /**
     * @param invocationId the id the caller chose for the invocation
     * @param output       where the caller wants the function's lines
     * @param admission    what the caller wants told when the invocation waits for capacity
     */
    public record Call(DeployedFunction fn, InvocationRequest request, String invocationId, OutputListener output,
                       AdmissionListener admission) {
    }

    public final Queue<Call> invocations = new ConcurrentLinkedQueue<>();
    public final List<DeployedFunction> warmed = new CopyOnWriteArrayList<>();
    public final List<DeployedFunction> retired = new CopyOnWriteArrayList<>();
    /** The future {@code retire} returned, by deployment id. */
    public final Map<String, CompletableFuture<Void>> retirements = new ConcurrentHashMap<>();

    private final AtomicLong ids = new AtomicLong();
    private volatile BiFunction<DeployedFunction, InvocationRequest, InvocationResult> answer =
            (fn, request) -> ok("inv-" + ids.incrementAndGet(), "{}");

    /** How to answer from now on (may block, may throw). */
    public void answer(BiFunction<DeployedFunction, InvocationRequest, InvocationResult> newAnswer) {
        this.answer = newAnswer;
    }

    @Override
    public InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request,
                                   OutputListener output, AdmissionListener admission) {
        Call call = new Call(fn, request, invocationId, output, admission);
        invocations.add(call);
        current.set(call);
        try {
            return answer.apply(fn, request);
        } finally {
            current.remove();
        }
    }

    private final ThreadLocal<Call> current = new ThreadLocal<>();

    /** From inside an answer: the invocation id its caller chose. */
    public String currentId() {
        return current.get().invocationId();
    }

    /** From inside an answer: what its caller wants told when the invocation waits for capacity. */
    public AdmissionListener currentAdmission() {
        return current.get().admission();
    }

    /** From inside an answer: the function prints {@code line}, as the engine would pass it on. */
    public void print(OutputListener.Stream stream, String line) {
        current.get().output().line(stream, line);
    }

    /** What {@link #containers} reports, by function name (none unless a test says otherwise). */
    public final Map<String, ContainerCounts> containers = new ConcurrentHashMap<>();

    @Override
    public ContainerCounts containers(String functionName) {
        return containers.getOrDefault(functionName, ContainerCounts.NONE);
    }

    @Override
    public void warm(DeployedFunction fn) {
        warmed.add(fn);
    }

    @Override
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        retired.add(fn);
        return retirements.computeIfAbsent(fn.deploymentId(), id -> new CompletableFuture<>());
    }

    public static InvocationResult.Completed ok(String id, String jsonBody) {
        return new InvocationResult.Completed(id, 200, Map.of("Content-Type", List.of("application/json")),
                jsonBody.getBytes(StandardCharsets.UTF_8), "", 5, false, 0);
    }

    public static InvocationResult.Failed failed(String id, InvocationResult.Failure failure, String code) {
        return new InvocationResult.Failed(id, failure, code, "it failed: " + code, "", 7,
                failure == InvocationResult.Failure.OVERLOADED ? 3 : 0, false, 0);
    }
}

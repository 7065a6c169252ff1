package io.glambdar.engine;

import io.glambdar.engine.InvocationResult.Completed;
import io.glambdar.engine.InvocationResult.Failed;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.ipc.InvocationPayload;
import io.glambdar.ipc.ProtocolException;
import io.glambdar.ipc.WorkerReply;
import io.glambdar.sandbox.ContainerExit;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.Sandboxes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs invocations: gets a worker for the function, sends it the request under the function's timeout, and turns
 * whatever happens into an {@link InvocationResult}. Nothing global is locked on this path.
 */
public final class InvocationEngine implements Invoker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InvocationEngine.class);
    /** The functions' own output, one line per log event, tagged with function and invocation id. */
    private static final Logger functionOutput = LoggerFactory.getLogger("io.glambdar.function");
    static final int MAX_LOG_BYTES = 256 * 1024;

    private final Pools pools;
    private final ScheduledThreadPoolExecutor timers;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public InvocationEngine(Sandboxes sandboxes, EngineSettings settings) {
        this.timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "engine-timers");
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true); // most timers are cancelled: don't let them pile up
        this.pools = new Pools(new WorkerStarter(sandboxes), settings, timers);
    }

    @Override
    public void warm(DeployedFunction fn) {
        if (!closing) {
            pools.prepare(fn);
        }
    }

    @Override
    public InvocationResult invoke(DeployedFunction fn, InvocationRequest request) {
        String id = UUID.randomUUID().toString();
        long startNanos = System.nanoTime();
        Instant startedAt = Instant.now();
        if (closing) {
            return new Failed(id, Failure.UNAVAILABLE, "shutting_down",
                    "the server is shutting down; retry once it is back", "", 0, 1, false, 0);
        }
        InFlight running = inFlight.computeIfAbsent(fn.deploymentId(), key -> new InFlight());
        running.enter();
        Attempt attempt = new Attempt(startNanos + fn.settings().timeout().toNanos());
        ScheduledFuture<?> timer = timers.schedule(attempt::expire, fn.settings().timeout().toNanos(),
                TimeUnit.NANOSECONDS);
        Worker worker = null;
        boolean healthy = false;
        InvocationResult result;
        try {
            worker = pools.acquire(fn, attempt);
            String loadLogs = worker.beginUse();
            if (!worker.ready()) {
                result = initFailure(id, fn, worker, loadLogs, startNanos);
            } else {
                WorkerReply reply = worker.connection.invoke(payload(id, request));
                healthy = true;
                result = switch (reply) {
                    case WorkerReply.Success ok -> new Completed(id, ok.statusCode(), ok.headers(), ok.body(),
                            loadLogs + nullToEmpty(ok.logs()), millisSince(startNanos), false, 0);
                    case WorkerReply.Failure failure -> new Failed(id, Failure.FUNCTION_ERROR, failure.code(),
                            "function '" + fn.name() + "' failed: " + failure.message(),
                            loadLogs + nullToEmpty(failure.logs()), millisSince(startNanos), 0, false, 0);
                };
            }
        } catch (OverloadedException e) {
            result = new Failed(id, Failure.OVERLOADED, "overloaded", e.getMessage(), "", millisSince(startNanos),
                    e.retryAfterSeconds, false, 0);
        } catch (WorkerStarter.WorkerStartException e) {
            result = workerLost(id, fn, e.sandbox, attempt, e.getCause(), Instant.EPOCH, startNanos);
            e.sandbox.destroy();
        } catch (IOException e) {
            // A container on its first invocation printed nothing for anyone else: its whole log is this one's.
            result = worker != null
                    ? workerLost(id, fn, worker.sandbox, attempt, e,
                            worker.uses() <= 1 ? Instant.EPOCH : startedAt.minusSeconds(1), startNanos)
                    : timeout(id, fn, "", startNanos);
        } catch (SandboxException e) {
            result = new Failed(id, Failure.UNAVAILABLE, "sandbox_failed",
                    "could not run function '" + fn.name() + "': " + e.getMessage(), "", millisSince(startNanos), 0,
                    false, 0);
        } finally {
            timer.cancel(false);
            if (worker != null) {
                attempt.letGo();
                pools.release(worker, healthy && !attempt.expired());
            }
            running.exit();
        }
        logOutput(fn, result);
        return result;
    }

    /**
     * The worker vanished or was cut off: explain it as a timeout, a crash, or a protocol error, with what the
     * container printed since {@code logsSince} (Docker's log times have whole-second resolution).
     */
    private Failed workerLost(String id, DeployedFunction fn, Sandbox sandbox, Attempt attempt, Throwable cause,
                              Instant logsSince, long startNanos) {
        String printed = sandbox.logs(logsSince, MAX_LOG_BYTES);
        if (attempt.expired()) {
            return timeout(id, fn, printed, startNanos);
        }
        if (cause instanceof ProtocolException) {
            return new Failed(id, Failure.FUNCTION_ERROR, "protocol_error",
                    "function '" + fn.name() + "' failed: its worker sent an invalid message (" + cause.getMessage()
                            + ")", printed, millisSince(startNanos), 0, false, 0);
        }
        ContainerExit exit = sandbox.exit(Duration.ofSeconds(2));
        String code = exit.oomKilled() ? "out_of_memory" : "process_exited";
        String detail = cause instanceof EOFException ? "" : " (" + cause.getMessage() + ")";
        return new Failed(id, Failure.FUNCTION_ERROR, code,
                "function '" + fn.name() + "' failed: its process " + exit.describe(fn.settings().memoryMb()) + detail,
                printed, millisSince(startNanos), 0, false, 0);
    }

    private static Failed timeout(String id, DeployedFunction fn, String printed, long startNanos) {
        return new Failed(id, Failure.TIMEOUT, "timeout",
                "function '" + fn.name() + "' did not respond within its " + seconds(fn.settings().timeout())
                        + " timeout and was stopped; raise \"timeout\" in its glambdar.json if it needs longer",
                printed, millisSince(startNanos), 0, false, 0);
    }

    private static Failed initFailure(String id, DeployedFunction fn, Worker worker, String loadLogs, long startNanos) {
        var hello = worker.hello;
        return new Failed(id, Failure.FUNCTION_ERROR, hello.errorCode(),
                "function '" + fn.name() + "' could not be loaded: " + hello.errorMessage(), loadLogs,
                millisSince(startNanos), 0, false, 0);
    }

    private static InvocationPayload payload(String id, InvocationRequest request) {
        return new InvocationPayload(id, request.method(), request.path(), request.query(), request.headers(),
                request.body());
    }

    private static void logOutput(DeployedFunction fn, InvocationResult result) {
        if (!result.logs().isEmpty() && functionOutput.isInfoEnabled()) {
            result.logs().lines().forEach(line ->
                    functionOutput.info("{} {} | {}", fn.name(), result.invocationId(), line));
        }
        if (result instanceof Failed failed && functionOutput.isInfoEnabled()) {
            functionOutput.info("{} {} failed ({}): {}", fn.name(), failed.invocationId(), failed.code(),
                    failed.message());
        }
    }

    @Override
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        pools.retire(fn);
        InFlight running = inFlight.computeIfAbsent(fn.deploymentId(), key -> new InFlight());
        return running.retire().whenComplete((ignored, error) -> inFlight.remove(fn.deploymentId()));
    }

    /** Invocations running right now, across all functions. */
    public int running() {
        return inFlight.values().stream().mapToInt(InFlight::count).sum();
    }

    /**
     * Refuses new invocations and waits up to {@code grace} for running ones to finish. Returns whether they all did.
     */
    public boolean drain(Duration grace) {
        closing = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (running() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running() == 0;
    }

    /**
     * Right now: containers alive (running, warm or being removed) against the limit, invocations waiting for one,
     * and invocations running.
     */
    public record Load(int containers, int maxContainers, int waiting, int running) {
    }

    public Load load() {
        Capacity capacity = pools.capacity();
        return new Load(capacity.used(), capacity.max(), capacity.waiting(), running());
    }

    /** Destroys every pooled container; invocations still running keep theirs until they end. */
    @Override
    public void close() {
        closing = true;
        pools.close();
        timers.shutdownNow();
    }

    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + " s" : (millis / 1000.0) + " s";
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}

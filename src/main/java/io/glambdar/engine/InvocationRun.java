package io.glambdar.engine;

import io.glambdar.engine.InvocationResult.Completed;
import io.glambdar.engine.InvocationResult.Failed;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.engine.pool.ContainerPool;
import io.glambdar.engine.pool.FunctionContainer;
import io.glambdar.engine.pool.Invocation;
import io.glambdar.engine.pool.Rejected;
import io.glambdar.engine.pool.StartFailed;
import io.glambdar.engine.time.Deadline;
import io.glambdar.engine.time.EngineClock;
import io.glambdar.ipc.InvocationPayload;
import io.glambdar.ipc.ProtocolException;
import io.glambdar.ipc.ReplyLimits;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.ipc.WorkerReply;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxExit;
import io.glambdar.sandbox.SandboxExitedException;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One invocation from arrival to its result: get a container from the pool, send it the request under the function's
 * deadline, give the container back, and turn whatever happened into an {@link InvocationResult} that says what went
 * wrong and what to do.
 */
final class InvocationRun {

    /** What Docker's record of a process that vanished may add to its logs: as much as its log frames bring. */
    static final int MAX_LOG_BYTES = ReplyLimits.DEFAULTS.maxLogBytes();
    /**
     * Asking the sandbox why it failed may take this long at most (its exit status, what it printed), within what is
     * left of the deadline: a busy Docker engine can take seconds to say a container was killed at its memory limit,
     * and without that answer the failure would be misreported as a plain exit.
     */
    private static final Duration EXPLAIN_AT_MOST = Duration.ofSeconds(5);
    private static final Duration EXPLAIN_AT_LEAST = Duration.ofMillis(250);

    private final ContainerPool pool;
    private final EngineClock clock;
    private final DeployedFunction fn;
    private final InvocationRequest request;
    private final Invocation invocation;
    private final OutputLines output;
    private final AdmissionListener admission;
    private final Instant startedAt = Instant.now();
    private boolean reusable;

    InvocationRun(ContainerPool pool, EngineClock clock, String id, DeployedFunction fn, InvocationRequest request,
                  OutputListener output, AdmissionListener admission) {
        this.output = new OutputLines(output);
        this.pool = pool;
        this.clock = clock;
        this.fn = fn;
        this.request = request;
        this.admission = admission;
        this.invocation = new Invocation(id, fn, clock.nanoTime(), admission);
    }

    InvocationResult run() {
        Deadline deadline = null;
        FunctionContainer container = null;
        try {
            deadline = Deadline.at(clock, invocation.deadlineNanos());
            container = pool.acquire(invocation, deadline);
            if (invocation.waited() && !admission.admitted()) {
                reusable = true; // never sent anything: the container is as good as before
                return failed(Failure.GONE, "cancelled", "invocation " + invocation.id() + " of function '"
                        + fn.name() + "' was no longer wanted once capacity came free; it did not run", "", 0);
            }
            return serve(container, deadline);
        } catch (Rejected e) {
            return rejected(e);
        } catch (StartFailed e) {
            try {
                return startFailed(e);
            } finally {
                e.cleanUp();
            }
        } catch (RejectedExecutionException e) { // a timer refused: the engine is shutting down
            return failed(Failure.UNAVAILABLE, "shutting_down", "the server is shutting down; retry once it is back",
                    "", 1);
        } finally {
            if (deadline != null) {
                deadline.cancel();
            }
            if (container != null) {
                pool.release(invocation, container, reusable && !deadline.expired());
            }
            pool.finish(invocation);
        }
    }

    private InvocationResult serve(FunctionContainer container, Deadline deadline) {
        String loadLogs = container.takeLoadLogs();
        // Loading printed before this invocation began, and the hello brings it as one text, both streams merged.
        output.all(OutputListener.Stream.STDOUT, loadLogs);
        WorkerHello hello = container.hello();
        if (!hello.ready()) {
            String trace = printedError(hello.stack());
            return failed(Failure.FUNCTION_ERROR, hello.errorCode(),
                    "function '" + fn.name() + "' could not be loaded: " + hello.errorMessage(), loadLogs + trace, 0);
        }
        if (!deadline.hold(container::interrupt)) {
            reusable = true; // never sent anything: the container is as good as before
            return timeout(loadLogs);
        }
        WorkerReply reply;
        try {
            reply = container.channel().invoke(payload(), output);
        } catch (IOException e) {
            output.finish();
            return workerLost(container, e, deadline, loadLogs);
        } finally {
            deadline.letGo();
        }
        output.finish();
        reusable = container.channel().reusable();
        return switch (reply) {
            case WorkerReply.Success ok -> new Completed(invocation.id(), ok.statusCode(), ok.headers(), ok.body(),
                    loadLogs + nullToEmpty(ok.logs()), elapsedMillis(), invocation.coldStart(), initMillis(),
                    ok.maxRssBytes());
            case WorkerReply.Failure failure -> {
                // What the function threw, with its stack, goes with what it printed, as Node prints an uncaught error.
                String trace = failure.code().equals(WorkerReply.Failure.HANDLER_THREW)
                        ? printedError(failure.stack() != null ? failure.stack() : failure.message()) : "";
                yield new Failed(invocation.id(), Failure.FUNCTION_ERROR, failure.code(),
                        "function '" + fn.name() + "' failed: " + failure.message(),
                        loadLogs + nullToEmpty(failure.logs()) + trace, elapsedMillis(), 0, invocation.coldStart(),
                        initMillis(), failure.maxRssBytes());
            }
        };
    }

    /**
     * The worker vanished or was cut off mid-invocation: a timeout, a crash, or a protocol error, with what the
     * container printed. A container on its first invocation printed nothing for anyone else, so its whole log is
     * this invocation's; later ones get the log since this invocation began (Docker's times have 1 s resolution).
     */
    private Failed workerLost(FunctionContainer container, IOException cause, Deadline deadline, String loadLogs) {
        Sandbox sandbox = container.sandbox();
        Instant logsSince = container.uses() <= 1 ? Instant.EPOCH : startedAt.minusSeconds(1);
        String record = sandbox.logs(logsSince, MAX_LOG_BYTES, explainBudget());
        // Docker keeps stdout and stderr merged; the lines the log frames did not bring (the process died before it
        // could send them, or they never went through process.stdout/stderr) are shown live as stdout, like loading's.
        // Its record is the fuller one, but it is written asynchronously and read within a short budget: when it
        // lacks what the frames brought, that comes first.
        boolean recordComplete = output.after(OutputListener.Stream.STDOUT, record);
        String printed = loadLogs + (recordComplete ? record : container.channel().printedSoFar() + record);
        if (deadline.expired()) {
            return timeout(printed);
        }
        if (pool.closing()) {
            return failed(Failure.UNAVAILABLE, "shutting_down",
                    "the server shut down while function '" + fn.name() + "' ran; retry once it is back", printed, 1);
        }
        if (cause instanceof ProtocolException) {
            return failed(Failure.FUNCTION_ERROR, "protocol_error", "function '" + fn.name()
                    + "' failed: its worker sent an invalid message (" + cause.getMessage() + ")", printed, 0);
        }
        SandboxExit exit = sandbox.exit(explainBudget());
        String detail = cause instanceof EOFException ? "" : " (" + cause.getMessage() + ")";
        Ending end = ending(exit, record, container.hello().heapLimitBytes());
        return failed(Failure.FUNCTION_ERROR, end.code(), "function '" + fn.name() + "' failed: its process "
                + end.phrase() + (end.outOfHeap() ? "" : detail), printed, 0);
    }

    /**
     * An error the function raised, as it goes into the invocation's logs (and to live followers, on stderr): its
     * text with a line break, or nothing when there is none.
     */
    private String printedError(String error) {
        if (error == null || error.isBlank()) {
            return "";
        }
        output.all(OutputListener.Stream.STDERR, error);
        return error.endsWith("\n") ? error : error + "\n";
    }

    /** How a vanished process ended: its error code, and a phrase that completes "its process ...". */
    private record Ending(String code, String phrase, boolean outOfHeap) {
    }

    /** Out of JavaScript heap (V8 said so), killed at the memory limit, or any other exit. */
    private Ending ending(SandboxExit exit, String printed, Long heapLimitBytes) {
        int memoryMb = fn.settings().memoryMb();
        if (!exit.oomKilled() && HeapExhaustion.reported(printed, exit)) {
            return new Ending("out_of_memory", HeapExhaustion.describe(heapLimitBytes, memoryMb), true);
        }
        return new Ending(exit.oomKilled() ? "out_of_memory" : "process_exited", exit.describe(memoryMb), false);
    }

    private Failed startFailed(StartFailed e) {
        Sandbox sandbox = e.sandbox();
        if (e.deadlinePassed()) {
            if (sandbox == null || !sandbox.started()) {
                return failed(Failure.UNAVAILABLE, "start_timeout", "no container for function '" + fn.name()
                        + "' could be started within its " + seconds(fn.settings().timeout()) + " timeout: the Docker"
                        + " engine has not finished creating it (it may be overloaded or stuck; check `docker info`)."
                        + " Retry shortly", "", 1);
            }
            // What loading printed up to now is the best clue to where it hangs.
            String printed = sandbox.logs(Instant.EPOCH, MAX_LOG_BYTES, explainBudget());
            output.all(OutputListener.Stream.STDOUT, printed);
            return failed(Failure.TIMEOUT, "timeout", "function '" + fn.name() + "' did not start within its "
                    + seconds(fn.settings().timeout()) + " timeout (its container runs, but index.js had not loaded"
                    + " yet; what it printed is in \"logs\"); raise \"timeout\" in its glambdar.json if loading takes"
                    + " longer", printed, 0);
        }
        Throwable cause = e.getCause();
        if (cause instanceof SandboxException) {
            return failed(Failure.UNAVAILABLE, "sandbox_failed", "could not run function '" + fn.name() + "': "
                    + cause.getMessage(), "", 0);
        }
        if (sandbox == null || pool.closing()) {
            return failed(Failure.UNAVAILABLE, "shutting_down", "could not run function '" + fn.name() + "': "
                    + cause.getMessage(), "", 1);
        }
        String printed = sandbox.logs(Instant.EPOCH, MAX_LOG_BYTES, explainBudget());
        output.all(OutputListener.Stream.STDOUT, printed); // Docker's record, both streams merged: see workerLost
        if (cause instanceof ProtocolException) {
            return failed(Failure.FUNCTION_ERROR, "protocol_error", "function '" + fn.name()
                    + "' failed to start: its worker sent an invalid message (" + cause.getMessage() + ")", printed, 0);
        }
        SandboxExit exit = sandbox.exit(explainBudget());
        String when = cause instanceof SandboxExitedException ? " before its worker connected"
                : " while loading index.js";
        Ending end = ending(exit, printed, null);
        return failed(Failure.FUNCTION_ERROR, end.code(), "function '" + fn.name() + "' failed to start: its process "
                + end.phrase().replace(" before replying", "") + when + " (what it printed is in \"logs\")", printed, 0);
    }

    private Failed rejected(Rejected e) {
        return switch (e.reason()) {
            case OVERLOADED -> failed(Failure.OVERLOADED, "overloaded", e.getMessage(), "", 1);
            case GONE -> failed(Failure.GONE, "gone", e.getMessage(), "", 0);
            case SHUTTING_DOWN -> failed(Failure.UNAVAILABLE, "shutting_down", e.getMessage(), "", 1);
            case TOO_LARGE -> failed(Failure.UNAVAILABLE, Failed.TOO_LARGE, e.getMessage(), "", 0);
        };
    }

    private Failed timeout(String printed) {
        return failed(Failure.TIMEOUT, "timeout", "function '" + fn.name() + "' did not respond within its "
                + seconds(fn.settings().timeout()) + " timeout and was stopped; raise \"timeout\" in its glambdar.json"
                + " if it needs longer", printed, 0);
    }

    private Failed failed(Failure failure, String code, String message, String logs, int retryAfterSeconds) {
        return new Failed(invocation.id(), failure, code, message, logs, elapsedMillis(), retryAfterSeconds,
                invocation.coldStart(), initMillis());
    }

    /** What is left of the deadline, within bounds: explaining a failure must not take long, nor fail for lack of time. */
    private Duration explainBudget() {
        long left = invocation.deadlineNanos() - clock.nanoTime();
        Duration remaining = Duration.ofNanos(Math.max(0, left));
        if (remaining.compareTo(EXPLAIN_AT_LEAST) < 0) {
            return EXPLAIN_AT_LEAST;
        }
        return remaining.compareTo(EXPLAIN_AT_MOST) > 0 ? EXPLAIN_AT_MOST : remaining;
    }

    private InvocationPayload payload() {
        return new InvocationPayload(invocation.id(), request.method(), request.path(), request.query(),
                request.headers(), request.body());
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - invocation.arrivedNanos());
    }

    private long initMillis() {
        return TimeUnit.NANOSECONDS.toMillis(invocation.initNanos());
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + " s" : (millis / 1000.0) + " s";
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }
}

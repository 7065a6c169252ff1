package io.glambdar.usecase;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.Invoker;
import io.glambdar.engine.Outcome;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.invocations.InvocationRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code /invoke/:name[@N]}: runs the function's active version (or version N) and records how it went: its
 * statistics and its entry in the recent invocations. Counts every invocation that reached the function, whatever its
 * outcome and version.
 */
public final class InvokeFunction {

    private static final Logger log = LoggerFactory.getLogger(InvokeFunction.class);

    /** How an invocation ended, and which function (by name, without a version) and version it ran. */
    public record Invoked(String function, int version, InvocationResult result) {
    }

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final Clock clock;
    private final InvocationListener listener;
    private final CallsInFlight calls = new CallsInFlight();

    public InvokeFunction(FunctionCatalog catalog, Invoker invoker, Clock clock) {
        this(catalog, invoker, clock, InvocationListener.NONE);
    }

    public InvokeFunction(FunctionCatalog catalog, Invoker invoker, Clock clock, InvocationListener listener) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Runs wholly on one version: the one active when the request arrived (or the one named), with that version's
     * code, settings and environment, whatever update or rollback happens meanwhile.
     *
     * @param reference {@code name} or {@code name@N}
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when the version named is not kept
     */
    public Invoked invoke(String reference, InvocationRequest request) {
        return run(FunctionReference.parse(reference).resolve(catalog), UUID.randomUUID().toString(), request,
                AdmissionListener.NONE, false);
    }

    /**
     * Runs an asynchronous job's attempt: {@code request} on a version already chosen, under the job's id, telling
     * {@code admission} when the invocation has to wait for capacity and asking it, once capacity came, whether to
     * run (the job shows as queued while it waits, and one cancelled meanwhile does not run).
     */
    public Invoked invokeAttempt(FunctionReference.Resolved resolved, String invocationId, InvocationRequest request,
                                 AdmissionListener admission) {
        return run(resolved, invocationId, request, admission, true);
    }

    private Invoked run(FunctionReference.Resolved resolved, String invocationId, InvocationRequest request,
                        AdmissionListener admission, boolean attempt) {
        StoredFunction function = resolved.function();
        Deployment version = resolved.version();
        try (CallsInFlight.Call call = calls.enter()) {
            Instant startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored: millisecond precision
            InvocationResult result = invoker.invoke(EngineFunctions.of(version), invocationId, request,
                    listener.output(function.name(), invocationId), admission);
            record(function, startedAt, result, attempt);
            Invoked invoked = new Invoked(function.name(), version.version(), result);
            if (!(result instanceof InvocationResult.Failed failed && failed.failure() == InvocationResult.Failure.GONE)) {
                listener.ended(invoked);
            }
            return invoked;
        }
    }

    /**
     * Waits until every invocation started here has returned and recorded its statistics. At shutdown this comes
     * after the engine has closed (so the last invocations are returning) and before the statistics' last flush.
     *
     * @return whether they all returned within {@code timeout}
     */
    public boolean awaitReturned(Duration timeout) {
        try {
            if (calls.awaitNone(timeout)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn("{} invocations still running after {}; their statistics are not saved", calls.count(), timeout);
        return false;
    }

    /**
     * The invocation's record, and its statistics when it reached the function. A throttled one (429) and one the
     * engine could not run (503: Docker, shutting down) are recorded so that their callers can look up why they failed
     * by the id they were given, but are not counted: the function never ran. One that found its version gone (it is
     * run again on the active one, or answered 404) is neither, and nor is an asynchronous attempt the engine could
     * not run: its job goes back to the queue, and its own record says so.
     */
    private static void record(StoredFunction function, Instant startedAt, InvocationResult result, boolean attempt) {
        if (!recorded(result) || attempt && result instanceof InvocationResult.Failed failed
                && failed.failure() == InvocationResult.Failure.UNAVAILABLE) {
            return;
        }
        String outcome = result.outcome().label();
        boolean ran = result.outcome() != Outcome.THROTTLED
                && !(result instanceof InvocationResult.Failed failed && failed.failure() == InvocationResult.Failure.UNAVAILABLE);
        if (ran) {
            function.counters().record(startedAt, outcome, result.durationMillis());
        }
        function.invocations().add(new InvocationRecord(result.invocationId(), startedAt, result.durationMillis(),
                outcome, result.httpStatus(),
                result instanceof InvocationResult.Failed failed ? failed.code() : null, result.coldStart(),
                result.initDurationMillis(), result.maxMemoryBytes(), outcome, result.logs()));
    }

    private static boolean recorded(InvocationResult result) {
        return switch (result) {
            case InvocationResult.Completed ignored -> true;
            case InvocationResult.Failed failed -> switch (failed.failure()) {
                case FUNCTION_ERROR, TIMEOUT, OVERLOADED, UNAVAILABLE -> true;
                case GONE -> false;
            };
        };
    }
}

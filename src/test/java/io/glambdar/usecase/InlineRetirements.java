package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The fake engine (its calls are still recorded there), but each {@code retire} hands out a future whose dependent
 * stages run on the thread that completes it, {@code *Async} ones included: once a test has completed a retirement,
 * what the use case chained on it (deleting the version's code) has run. No waiting, no sleeping.
 */
final class InlineRetirements extends DelegatingInvoker {

    /** A future whose dependants, async or not, run inline; so do theirs. */
    static final class InlineFuture<T> extends CompletableFuture<T> {
        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new InlineFuture<>();
        }

        @Override
        public Executor defaultExecutor() {
            return Runnable::run;
        }
    }

    /** The future {@code retire} returned, by deployment id. */
    final Map<String, InlineFuture<Void>> retirements = new ConcurrentHashMap<>();

    InlineRetirements(FakeInvoker fake) {
        super(fake);
    }

    @Override
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        super.retire(fn); // recorded by the fake
        return retirements.computeIfAbsent(fn.deploymentId(), id -> new InlineFuture<>());
    }

    /** The engine says this version runs no more. */
    void complete(String deploymentId) {
        InlineFuture<Void> retirement = retirements.get(deploymentId);
        if (retirement == null) {
            throw new AssertionError("deployment " + deploymentId + " was never retired; retired: "
                    + retirements.keySet());
        }
        retirement.complete(null);
    }
}

package io.glambdar.usecase;

import io.glambdar.engine.AdmissionListener;
import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.Invoker;
import io.glambdar.engine.OutputListener;

import java.util.concurrent.CompletableFuture;

/** Passes every call on to another invoker: tests override the one call that should misbehave. */
class DelegatingInvoker implements Invoker {

    private final Invoker delegate;

    DelegatingInvoker(Invoker delegate) {
        this.delegate = delegate;
    }

    @Override
    public InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request,
                                   OutputListener output, AdmissionListener admission) {
        return delegate.invoke(fn, invocationId, request, output, admission);
    }

    @Override
    public void warm(DeployedFunction fn) {
        delegate.warm(fn);
    }

    @Override
    public CompletableFuture<Void> retire(DeployedFunction fn) {
        return delegate.retire(fn);
    }

    @Override
    public ContainerCounts containers(String functionName) {
        return delegate.containers(functionName);
    }
}

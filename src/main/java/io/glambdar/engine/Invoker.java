package io.glambdar.engine;

import java.util.concurrent.CompletableFuture;

/** What the function store needs from the engine (and what its tests replace). */
public interface Invoker {

    /** Runs one invocation to its end; never throws for anything the function or Docker did. */
    InvocationResult invoke(DeployedFunction fn, InvocationRequest request);

    /** A function was just deployed: the engine may get containers ready for it. */
    void prepare(DeployedFunction fn);

    /** The function is gone: drop its containers; completes once its last invocation has ended. */
    CompletableFuture<Void> retire(DeployedFunction fn);
}

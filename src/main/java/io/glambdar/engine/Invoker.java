package io.glambdar.engine;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** What the use cases need from the invocation engine (and what their tests replace). */
public interface Invoker {

    /**
     * Runs one invocation to its end, under {@code invocationId} (its logs and result carry it); never throws for
     * anything the function or the sandbox did. An invocation of a deployment already retired (or retired while it
     * waited) ends as {@link InvocationResult.Failure#GONE}.
     */
    default InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request) {
        return invoke(fn, invocationId, request, OutputListener.NONE);
    }

    /**
     * {@link #invoke(DeployedFunction, String, InvocationRequest)}, telling {@code output} of each line the function
     * prints as it prints it (on the invocation's thread, before this returns).
     */
    default InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request,
                                    OutputListener output) {
        return invoke(fn, invocationId, request, output, AdmissionListener.NONE);
    }

    /**
     * {@link #invoke(DeployedFunction, String, InvocationRequest, OutputListener)}, telling {@code admission} when the
     * invocation has to wait for capacity and asking it, once it has a container after waiting, whether to run.
     */
    InvocationResult invoke(DeployedFunction fn, String invocationId, InvocationRequest request,
                            OutputListener output, AdmissionListener admission);

    /** {@link #invoke(DeployedFunction, String, InvocationRequest)} under a new random invocation id. */
    default InvocationResult invoke(DeployedFunction fn, InvocationRequest request) {
        return invoke(fn, UUID.randomUUID().toString(), request);
    }

    /** A deployment was just made: the engine may start a container for it ahead of its first invocation. */
    void warm(DeployedFunction fn);

    /**
     * The deployment is gone (deleted or replaced): invocations still waiting for a container end as GONE, idle
     * containers are removed, running invocations finish. Completes once no container of it runs code any more.
     */
    CompletableFuture<Void> retire(DeployedFunction fn);

    /** The containers of the function called {@code functionName} right now, all its deployments together. */
    ContainerCounts containers(String functionName);
}

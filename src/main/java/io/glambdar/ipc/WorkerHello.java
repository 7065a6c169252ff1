package io.glambdar.ipc;

/**
 * The worker's first message: either the function is loaded and ready, or it could not be loaded (then the worker exits).
 *
 * @param ready        true when the handler was found
 * @param nodeVersion  the worker's {@code process.version} when ready, else null
 * @param errorCode    when not ready: {@code index_missing}, {@code handler_missing} or {@code load_failed}
 * @param errorMessage when not ready: what went wrong, fit to show to the function's author
 * @param stack        when not ready: the load error's stack, or null
 * @param logs         what the module printed while loading ("" if nothing)
 * @param warmup       when ready: {@link #WARMUP_OK} if the worker's rehearsal of its own invocation path ran cleanly,
 *                     else what went wrong (the worker still serves, its first invocations may just be slower);
 *                     null when the worker did not say
 * @param heapLimitBytes when ready: the most memory V8 gives the JavaScript heap (its {@code heap_size_limit}), to say
 *                       what a function that ran out of heap reached; null when the worker did not say
 */
public record WorkerHello(boolean ready, String nodeVersion, String errorCode, String errorMessage, String stack,
                          String logs, String warmup, Long heapLimitBytes) {

    public static final String WARMUP_OK = "ok";

    /** A hello that says nothing about the heap limit. */
    public WorkerHello(boolean ready, String nodeVersion, String errorCode, String errorMessage, String stack,
                       String logs, String warmup) {
        this(ready, nodeVersion, errorCode, errorMessage, stack, logs, warmup, null);
    }

    /** A hello that says nothing about the warm-up. */
    public WorkerHello(boolean ready, String nodeVersion, String errorCode, String errorMessage, String stack,
                       String logs) {
        this(ready, nodeVersion, errorCode, errorMessage, stack, logs, null, null);
    }

    /** Whether the worker reported a warm-up that went wrong. */
    public boolean warmupFailed() {
        return warmup != null && !warmup.equals(WARMUP_OK);
    }
}

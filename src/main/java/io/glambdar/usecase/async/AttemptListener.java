package io.glambdar.usecase.async;

import io.glambdar.engine.Outcome;

/**
 * Told how each attempt of an asynchronous invocation that reached its function ended (the metrics count them). Not
 * told of attempts that never ran: expired, cancelled because the function was deleted, its version not kept, or its
 * deployment replaced while it waited. Called on the attempt's own thread, so it must be quick and never block.
 */
@FunctionalInterface
public interface AttemptListener {

    AttemptListener NONE = (function, outcome) -> {
    };

    /** @param outcome {@code THROTTLED} when no capacity was free (the job waits again, the attempt given back) */
    void attempted(String function, Outcome outcome);
}

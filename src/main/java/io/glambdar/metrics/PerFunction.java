package io.glambdar.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * A function's meters, registered at its first use and then found with one map look-up: no tags are built and the
 * registry is not searched on the invocation's path.
 *
 * @param <M> the meters kept for each function
 */
final class PerFunction<M> {

    private final ConcurrentMap<String, M> meters = new ConcurrentHashMap<>();
    private final Function<String, M> register;

    PerFunction(Function<String, M> register) {
        this.register = register;
    }

    /** Its meters, registering them if it has none yet. */
    M of(String function) {
        M found = meters.get(function);
        return found != null ? found : meters.computeIfAbsent(function, register);
    }

    /** The function is gone: its next use (should it be deployed again) registers its meters again. */
    void forget(String function) {
        meters.remove(function);
    }
}

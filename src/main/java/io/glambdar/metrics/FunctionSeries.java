package io.glambdar.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The functions that have series in the registry, so that those of a deleted function are found by name, without
 * walking every meter. They go when the function is deleted, so that a function deployed again under the name starts
 * from 0 even before the next scrape; and at each scrape, those of every name the catalog no longer has, since an
 * invocation that ends after its function was deleted registers its meters again. (Only such a late end of a function
 * deleted and deployed again before the next scrape counts into the new function's series.)
 */
final class FunctionSeries {

    private final MeterRegistry registry;
    private final Set<String> functions = ConcurrentHashMap.newKeySet();

    FunctionSeries(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A meter of {@code function} was just registered (called after registering it, never before). */
    void registered(String function) {
        functions.add(function);
    }

    /**
     * Removes the meters of every function that {@code deployed} says is gone, after {@code forget} dropped it from the
     * caches that hold its meters.
     */
    void removeDeleted(Predicate<String> deployed, List<PerFunction<?>> caches) {
        for (String function : functions) {
            if (!deployed.test(function)) {
                remove(function, caches);
            }
        }
    }

    /** Removes the meters of {@code function}, after {@code forget} dropped it from the caches that hold them. */
    void remove(String function, List<PerFunction<?>> caches) {
        // First out of the set: a meter registered from now on puts the name back, for the next scrape.
        functions.remove(function);
        caches.forEach(cache -> cache.forget(function));
        for (Meter meter : registry.getMeters()) {
            if (function.equals(meter.getId().getTag(Metrics.FUNCTION))) {
                registry.remove(meter);
            }
        }
    }
}

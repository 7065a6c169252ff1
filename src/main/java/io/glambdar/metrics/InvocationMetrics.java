package io.glambdar.metrics;

import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.Outcome;
import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.InvokeFunction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts every invocation that ended, by function and outcome ({@code glambdar_invocations_total}), its duration
 * ({@code glambdar_invocation_duration_seconds}, a histogram by function and outcome) and cold starts
 * ({@code glambdar_cold_starts_total}).
 */
final class InvocationMetrics implements InvocationListener {

    static final String INVOCATIONS = "glambdar.invocations";
    static final String DURATION = "glambdar.invocation.duration";
    static final String COLD_STARTS = "glambdar.cold.starts";

    /**
     * The duration histogram's buckets, 5 ms to 15 min (the longest timeout): a fixed, small set, so that 500
     * functions still make a small scrape (Micrometer's own percentile histogram has about 70).
     */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofSeconds(900)};

    private static final Outcome[] OUTCOMES = Outcome.values();

    private final MeterRegistry registry;
    private final FunctionSeries series;
    private final PerFunction<FunctionMeters> functions = new PerFunction<>(FunctionMeters::new);

    InvocationMetrics(MeterRegistry registry, FunctionSeries series) {
        this.registry = registry;
        this.series = series;
    }

    @Override
    public void ended(InvokeFunction.Invoked invoked) {
        InvocationResult result = invoked.result();
        FunctionMeters meters = functions.of(invoked.function());
        Outcome outcome = result.outcome();
        meters.invocations[outcome.ordinal()].increment();
        meters.duration(outcome).record(result.durationMillis(), TimeUnit.MILLISECONDS);
        if (result.coldStart()) {
            meters.coldStarts.increment();
        }
    }

    /**
     * Gives every function deployed its counters, at 0 until it is invoked: a function just deployed shows in
     * {@code glambdar_invocations_total} and {@code glambdar_cold_starts_total} before its first call.
     */
    void present(Iterable<String> deployed) {
        for (String function : deployed) {
            functions.of(function);
        }
    }

    PerFunction<?> cache() {
        return functions;
    }

    /**
     * One function's meters. Its counters exist from its deploy (or first invocation), every outcome at 0 (so that a rate of
     * errors is 0, not absent); a duration histogram only once an invocation had that outcome, which keeps the scrape
     * of many functions small.
     */
    private final class FunctionMeters {
        final String function;
        final Counter[] invocations = new Counter[OUTCOMES.length];
        final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(OUTCOMES.length);
        final Counter coldStarts;

        FunctionMeters(String function) {
            this.function = function;
            for (Outcome outcome : OUTCOMES) {
                invocations[outcome.ordinal()] = Counter.builder(INVOCATIONS)
                        .description("Invocations that ended, by function and outcome")
                        .tag(Metrics.FUNCTION, function).tag(Metrics.OUTCOME, outcome.label())
                        .register(registry);
            }
            coldStarts = Counter.builder(COLD_STARTS)
                    .description("Invocations that started a container (no warm one was ready)")
                    .tag(Metrics.FUNCTION, function).register(registry);
            series.registered(function);
        }

        Timer duration(Outcome outcome) {
            Timer timer = durations.get(outcome.ordinal());
            if (timer == null) {
                // Registering twice returns the same timer: a race here is harmless.
                timer = Timer.builder(DURATION)
                        .description("How long invocations took, from arrival to response, by function and outcome")
                        .tag(Metrics.FUNCTION, function).tag(Metrics.OUTCOME, outcome.label())
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry);
                durations.set(outcome.ordinal(), timer);
                series.registered(function);
            }
            return timer;
        }
    }
}

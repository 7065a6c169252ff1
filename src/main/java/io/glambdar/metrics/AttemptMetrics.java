package io.glambdar.metrics;

import io.glambdar.engine.Outcome;
import io.glambdar.usecase.async.AttemptListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts the attempts of asynchronous invocations, by function and outcome ({@code glambdar_async_attempts_total}). */
final class AttemptMetrics implements AttemptListener {

    static final String ATTEMPTS = "glambdar.async.attempts";

    private static final Outcome[] OUTCOMES = Outcome.values();

    private final PerFunction<Counter[]> functions;

    AttemptMetrics(MeterRegistry registry, FunctionSeries series) {
        this.functions = new PerFunction<>(function -> {
            Counter[] counters = new Counter[OUTCOMES.length];
            for (Outcome outcome : OUTCOMES) {
                counters[outcome.ordinal()] = Counter.builder(ATTEMPTS)
                        .description("Attempts of asynchronous invocations that reached their function, by outcome"
                                + " (throttled: no capacity, the job waits again without spending the attempt)")
                        .tag(Metrics.FUNCTION, function).tag(Metrics.OUTCOME, outcome.label())
                        .register(registry);
            }
            series.registered(function);
            return counters;
        });
    }

    @Override
    public void attempted(String function, Outcome outcome) {
        functions.of(function)[outcome.ordinal()].increment();
    }

    PerFunction<?> cache() {
        return functions;
    }
}

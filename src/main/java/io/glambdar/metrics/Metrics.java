package io.glambdar.metrics;

import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.async.AttemptListener;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} shows, in Micrometer's Prometheus registry: the invocations and asynchronous attempts
 * counted as they end, the engine's and the queue's gauges read at each scrape, and the JVM's and the process's own.
 * Labels are bounded: function names (only of functions deployed), outcomes, container states; never an invocation.
 */
public final class Metrics implements AutoCloseable {

    static final String FUNCTION = "function";
    static final String OUTCOME = "outcome";

    /** Prometheus text format 0.0.4: what Prometheus scrapers and most tools read. */
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics 1.0, for a scraper whose {@code Accept} asks for it. */
    private static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** One scrape: its content type and text. */
    public record Exposition(String contentType, byte[] body) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FunctionSeries series = new FunctionSeries(registry);
    private final InvocationMetrics invocations = new InvocationMetrics(registry, series);
    private final AttemptMetrics attempts = new AttemptMetrics(registry, series);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final EngineGauges gauges;
    private final Supplier<Set<String>> deployed;
    /** The size of the last scrape: the next one's buffer. */
    private volatile int lastSize = 64 * 1024;

    /**
     * @param engine      the engine's state, read at each scrape
     * @param asyncQueued the asynchronous jobs queued now
     * @param deployed    the names of the functions deployed now: each has its invocation series from its deploy (at 0
     *                    until it is invoked), and a deleted function's series are dropped
     */
    public Metrics(EngineState engine, LongSupplier asyncQueued, Supplier<Set<String>> deployed) {
        this.deployed = deployed;
        gauges = new EngineGauges(engine, asyncQueued);
        gauges.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Counts each invocation as it ends (wire it into {@code InvokeFunction}). */
    public InvocationListener invocationListener() {
        return invocations;
    }

    /** Counts each asynchronous attempt as it ends (wire it into the job dispatcher). */
    public AttemptListener attemptListener() {
        return attempts;
    }

    /** The function {@code name} was deleted: its series go now, so a function deployed again under it starts at 0. */
    public void functionDeleted(String name) {
        series.remove(name, List.of(invocations.cache(), attempts.cache()));
    }

    /**
     * The metrics now, in the format {@code accept} (a request's {@code Accept} header, or null) asks for: OpenMetrics
     * when it names it, else text 0.0.4. The series of functions deleted since the last scrape are removed first.
     */
    public Exposition scrape(String accept) {
        String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_FORMAT
                : TEXT_FORMAT;
        Set<String> names = deployed.get();
        series.removeDeleted(names::contains, List.of(invocations.cache(), attempts.cache()));
        invocations.present(names);
        gauges.read();
        ByteArrayOutputStream body = new ByteArrayOutputStream(lastSize + lastSize / 8); // grown once at most
        try {
            registry.scrape(body, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not from a byte array
        }
        lastSize = body.size();
        return new Exposition(contentType, body.toByteArray());
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

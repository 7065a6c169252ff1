package io.glambdar.metrics;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.engine.Outcome;
import io.glambdar.usecase.InvokeFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code GET /metrics} shows, scraped from the registry and parsed as Prometheus text. */
class MetricsTest {

    private final Set<String> deployed = ConcurrentHashMap.newKeySet();
    private final FakeEngineState engine = new FakeEngineState();
    private final AtomicLong queued = new AtomicLong();
    private final Metrics metrics = new Metrics(engine, queued::get, () -> deployed);

    @AfterEach
    void close() {
        metrics.close();
    }

    private static final class FakeEngineState implements EngineState {
        volatile ContainerCounts containers = ContainerCounts.NONE;
        volatile long memoryReservedBytes;
        volatile int waiting;

        @Override
        public ContainerCounts containers() {
            return containers;
        }

        @Override
        public long memoryReservedBytes() {
            return memoryReservedBytes;
        }

        @Override
        public int invocationsWaiting() {
            return waiting;
        }
    }

    private PrometheusText scrape() {
        Metrics.Exposition exposition = metrics.scrape(null);
        assertThat(exposition.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(new String(exposition.body(), StandardCharsets.UTF_8));
    }

    private void ended(String function, InvocationResult result) {
        deployed.add(function);
        metrics.invocationListener().ended(new InvokeFunction.Invoked(function, 1, result));
    }

    private static InvocationResult ok(long durationMillis, boolean coldStart) {
        return new InvocationResult.Completed("inv-1", 200, Map.of(), new byte[0], "", durationMillis, coldStart,
                coldStart ? 300 : 0);
    }

    private static InvocationResult failed(Failure failure, long durationMillis) {
        return new InvocationResult.Failed("inv-2", failure, "code", "message", "", durationMillis, 0, false, 0);
    }

    // ---------------------------------------------------------------- invocations

    @Test
    void invocationsAreCountedByFunctionAndOutcomeEveryOutcomeFromTheFirst() {
        ended("f", ok(10, false));
        ended("f", ok(10, false));
        ended("f", failed(Failure.FUNCTION_ERROR, 10));
        ended("f", failed(Failure.UNAVAILABLE, 10));
        ended("f", failed(Failure.TIMEOUT, 3000));
        ended("f", failed(Failure.OVERLOADED, 10));
        ended("g", failed(Failure.TIMEOUT, 10));

        PrometheusText text = scrape();

        assertThat(text.types()).containsEntry("glambdar_invocations_total", "counter");
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "ok")).isEqualTo(2);
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "error")).isEqualTo(2);
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "timeout")).isEqualTo(1);
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "throttled")).isEqualTo(1);
        assertThat(text.value("glambdar_invocations_total", "function", "g", "outcome", "timeout")).isEqualTo(1);
        assertThat(text.value("glambdar_invocations_total", "function", "g", "outcome", "ok"))
                .as("every outcome is there from the first invocation, at 0").isZero();
        assertThat(text.samples("glambdar_invocations_total")).hasSize(8);
    }

    @Test
    void durationsAreAHistogramByFunctionAndOutcomeWithBucketsFrom5MsTo900S() {
        ended("f", ok(30, false));
        ended("f", ok(2, false));
        ended("f", failed(Failure.TIMEOUT, 1_000_000));

        PrometheusText text = scrape();

        assertThat(text.types()).containsEntry("glambdar_invocation_duration_seconds", "histogram");
        List<String> bounds = text.samples("glambdar_invocation_duration_seconds_bucket", "function", "f",
                "outcome", "ok").stream().map(sample -> sample.labels().get("le")).toList();
        assertThat(bounds.stream().map(bound -> bound.equals("+Inf") ? Double.POSITIVE_INFINITY
                : Double.parseDouble(bound)).toList()).containsExactly(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, Double.POSITIVE_INFINITY);
        assertThat(bucket(text, "ok", "0.005")).isEqualTo(1);
        assertThat(bucket(text, "ok", "0.025")).isEqualTo(1);
        assertThat(bucket(text, "ok", "0.05")).isEqualTo(2);
        assertThat(bucket(text, "ok", "+Inf")).isEqualTo(2);
        assertThat(text.value("glambdar_invocation_duration_seconds_count", "function", "f", "outcome", "ok"))
                .isEqualTo(2);
        assertThat(text.value("glambdar_invocation_duration_seconds_sum", "function", "f", "outcome", "ok"))
                .isEqualTo(0.032);
        assertThat(bucket(text, "timeout", "900.0")).as("1000 s: past the last bucket").isZero();
        assertThat(bucket(text, "timeout", "+Inf")).isEqualTo(1);
        assertThat(text.samples("glambdar_invocation_duration_seconds_count", "function", "f"))
                .as("a histogram only for the outcomes that happened").hasSize(2);
    }

    private static double bucket(PrometheusText text, String outcome, String le) {
        return text.samples("glambdar_invocation_duration_seconds_bucket", "function", "f", "outcome", outcome)
                .stream().filter(sample -> Double.parseDouble(sample.labels().get("le").replace("+Inf", "Infinity"))
                        == Double.parseDouble(le.replace("+Inf", "Infinity")))
                .findFirst().orElseThrow().value();
    }

    @Test
    void aFunctionDeployedButNeverInvokedShowsItsCountersAtZero() {
        deployed.add("fresh");

        PrometheusText text = scrape();

        for (String outcome : List.of("ok", "error", "timeout", "throttled")) {
            assertThat(text.value("glambdar_invocations_total", "function", "fresh", "outcome", outcome)).isZero();
        }
        assertThat(text.value("glambdar_cold_starts_total", "function", "fresh")).isZero();
    }

    @Test
    void coldStartsAreCountedByFunction() {
        ended("f", ok(10, true));
        ended("f", ok(10, false));
        ended("f", new InvocationResult.Failed("inv", Failure.FUNCTION_ERROR, "worker_crashed", "m", "", 10, 0,
                true, 200));
        ended("g", ok(10, false));

        PrometheusText text = scrape();

        assertThat(text.types()).containsEntry("glambdar_cold_starts_total", "counter");
        assertThat(text.value("glambdar_cold_starts_total", "function", "f")).isEqualTo(2);
        assertThat(text.value("glambdar_cold_starts_total", "function", "g")).isZero();
    }

    @Test
    void asyncAttemptsAreCountedByFunctionAndOutcome() {
        deployed.add("f");
        metrics.attemptListener().attempted("f", Outcome.ERROR);
        metrics.attemptListener().attempted("f", Outcome.ERROR);
        metrics.attemptListener().attempted("f", Outcome.THROTTLED);

        PrometheusText text = scrape();

        assertThat(text.types()).containsEntry("glambdar_async_attempts_total", "counter");
        assertThat(text.value("glambdar_async_attempts_total", "function", "f", "outcome", "error")).isEqualTo(2);
        assertThat(text.value("glambdar_async_attempts_total", "function", "f", "outcome", "throttled"))
                .isEqualTo(1);
        assertThat(text.value("glambdar_async_attempts_total", "function", "f", "outcome", "ok")).isZero();
    }

    @Test
    void aDeletedFunctionsSeriesAreGoneAtTheNextScrapeAndADeployOfTheNameStartsAgain() {
        ended("f", ok(10, true));
        ended("g", ok(10, false));
        metrics.attemptListener().attempted("f", Outcome.OK);
        assertThat(functionsIn(scrape())).containsExactlyInAnyOrder("f", "g");

        deployed.remove("f");

        assertThat(functionsIn(scrape())).containsExactly("g");
        metrics.invocationListener().ended(new InvokeFunction.Invoked("f", 1, ok(10, false)));
        metrics.attemptListener().attempted("f", Outcome.OK);
        assertThat(functionsIn(scrape())).as("the last invocations of the deleted function, ending after it")
                .containsExactly("g");

        ended("f", failed(Failure.FUNCTION_ERROR, 10)); // deployed again
        PrometheusText text = scrape();
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "error")).isEqualTo(1);
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "ok")).isZero();
        assertThat(text.value("glambdar_cold_starts_total", "function", "f")).isZero();
    }

    @Test
    void aFunctionDeletedAndDeployedAgainBetweenTwoScrapesStartsAtZero() {
        ended("f", ok(10, true));
        ended("f", ok(10, false));
        metrics.attemptListener().attempted("f", Outcome.OK);
        assertThat(scrape().value("glambdar_invocations_total", "function", "f", "outcome", "ok")).isEqualTo(2);

        metrics.functionDeleted("f"); // deleted, then deployed again under the name before any scrape
        ended("f", ok(10, false));

        PrometheusText text = scrape();
        assertThat(text.value("glambdar_invocations_total", "function", "f", "outcome", "ok")).isEqualTo(1);
        assertThat(text.value("glambdar_cold_starts_total", "function", "f")).isZero();
        assertThat(text.samples()).as("the old function's attempts are gone")
                .noneMatch(sample -> sample.name().startsWith("glambdar_async_attempts"));
    }

    private static Set<String> functionsIn(PrometheusText text) {
        return text.samples().stream().map(sample -> sample.labels().get("function")).filter(f -> f != null)
                .collect(Collectors.toSet());
    }

    @Test
    void labelsAreBoundedNeverAnInvocationId() {
        ended("f", ok(10, true));
        ended("f", failed(Failure.TIMEOUT, 10));
        metrics.attemptListener().attempted("f", Outcome.OK);

        Set<String> labels = scrape().samples().stream().filter(sample -> sample.name().startsWith("glambdar_"))
                .flatMap(sample -> sample.labels().keySet().stream()).collect(Collectors.toSet());

        assertThat(labels).containsExactlyInAnyOrder("function", "outcome", "state", "le");
    }

    // ---------------------------------------------------------------- gauges

    @Test
    void gaugesShowTheEngineAndTheQueueAsTheyAreAtTheScrape() {
        engine.containers = new ContainerCounts(1, 2, 3, 4);
        engine.memoryReservedBytes = 640L * 1024 * 1024;
        engine.waiting = 5;
        queued.set(7);

        PrometheusText text = scrape();

        assertThat(text.types()).containsEntry("glambdar_containers", "gauge")
                .containsEntry("glambdar_memory_reserved_bytes", "gauge")
                .containsEntry("glambdar_invocations_waiting", "gauge")
                .containsEntry("glambdar_async_queue_depth", "gauge");
        assertThat(text.value("glambdar_containers", "state", "starting")).isEqualTo(1);
        assertThat(text.value("glambdar_containers", "state", "warm")).isEqualTo(2);
        assertThat(text.value("glambdar_containers", "state", "busy")).isEqualTo(3);
        assertThat(text.value("glambdar_containers", "state", "removing")).isEqualTo(4);
        assertThat(text.value("glambdar_memory_reserved_bytes")).isEqualTo(640.0 * 1024 * 1024);
        assertThat(text.value("glambdar_invocations_waiting")).isEqualTo(5);
        assertThat(text.value("glambdar_async_queue_depth")).isEqualTo(7);

        engine.containers = ContainerCounts.NONE;
        queued.set(0);
        PrometheusText later = scrape();
        assertThat(later.value("glambdar_containers", "state", "busy")).isZero();
        assertThat(later.value("glambdar_async_queue_depth")).isZero();
    }

    @Test
    void jvmAndProcessMetricsAreThere() {
        assertThat(scrape().types()).containsKeys("jvm_memory_used_bytes", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "jvm_gc_memory_allocated_bytes_total", "system_cpu_count",
                "process_cpu_usage", "process_uptime_seconds", "process_files_open_files");
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        ended("f", ok(10, false));

        Metrics.Exposition exposition = metrics.scrape("application/openmetrics-text;version=1.0.0,text/plain;"
                + "version=0.0.4;q=0.5,*/*;q=0.1");

        assertThat(exposition.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        String body = new String(exposition.body(), StandardCharsets.UTF_8);
        assertThat(body).contains("# TYPE glambdar_invocations counter\n")
                .contains("glambdar_invocations_total{function=\"f\",outcome=\"ok\"} 1.0")
                .endsWith("# EOF\n");
    }
}

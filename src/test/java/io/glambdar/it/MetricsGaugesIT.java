package io.glambdar.it;

import io.glambdar.app.AsyncOptions;
import io.glambdar.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC "Observability", the gauges of {@code GET /metrics} against the real engine: containers by each state,
 * invocations waiting for capacity, the asynchronous queue's depth; and no invocation id ever as a label.
 */
@ExtendWith(DockerRequired.class)
class MetricsGaugesIT {

    /** {@code sleepN}: answers after N ms; else answers at once. */
    private static final String SLEEPER = """
            exports.handler = async (req) => {
              if (req.body.startsWith('sleep')) await new Promise(r => setTimeout(r, Number(req.body.slice(5))));
              return { body: 'done' };
            };
            """;
    private static final Duration WITHIN = Duration.ofSeconds(30);

    private static PrometheusText scrape(ApiClient api) {
        ApiClient.Response response = api.get("/metrics");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    @Test
    void theGaugesFollowTheEngineAndTheQueueAndNoInvocationIdIsALabel() throws Exception {
        AsyncOptions oneAtATime = new AsyncOptions(1, AsyncOptions.DEFAULTS.retention(),
                AsyncOptions.DEFAULTS.callbackTimeout());
        try (Harness glambdar = Harness.start(c -> c.withAsync(oneAtATime));
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            glambdar.deployOk("slow", Zips.of(Map.of("index.js", SLEEPER, "glambdar.json",
                    "{\"concurrency\": 1, \"timeout\": 20}")));
            Set<String> ids = new HashSet<>();

            // Every state SPEC names is a series, and a deploy warms a container.
            Eventually.holds("a warm container of slow", WITHIN,
                    () -> scrape(glambdar).value("glambdar_containers", "state", "warm") >= 1);
            assertThat(scrape(glambdar).samples("glambdar_containers"))
                    .extracting(sample -> sample.labels().get("state"))
                    .containsExactlyInAnyOrder("warm", "busy", "starting", "removing");

            // One invocation runs (concurrency 1); the next waits for it, and is counted as waiting.
            CompletableFuture<ApiClient.Response> running = CompletableFuture.supplyAsync(
                    () -> glambdar.invoke("slow", "sleep3000"), callers);
            Eventually.holds("slow busy", WITHIN,
                    () -> scrape(glambdar).value("glambdar_containers", "state", "busy") == 1);
            CompletableFuture<ApiClient.Response> waiting = CompletableFuture.supplyAsync(
                    () -> glambdar.invoke("slow", ""), callers);
            Eventually.holds("one invocation waiting", WITHIN,
                    () -> scrape(glambdar).value("glambdar_invocations_waiting") == 1);
            assertThat(scrape(glambdar).value("glambdar_memory_reserved_bytes")).isGreaterThanOrEqualTo(128.0 * 1024 * 1024);
            for (CompletableFuture<ApiClient.Response> call : List.of(running, waiting)) {
                ApiClient.Response response = call.get();
                assertThat(response.status()).isEqualTo(200);
                ids.add(response.header("X-Glambdar-Invocation-Id"));
            }
            assertThat(scrape(glambdar).value("glambdar_invocations_waiting")).isZero();

            // One asynchronous job at a time: while the first runs, the three after it are the queue's depth.
            List<String> jobs = new ArrayList<>();
            jobs.add(Jobs.enqueueOk(glambdar, "slow", "sleep3000"));
            Eventually.holds("the first job running", WITHIN,
                    () -> "running".equals(Jobs.status(glambdar, jobs.getFirst())));
            for (int i = 0; i < 3; i++) {
                jobs.add(Jobs.enqueueOk(glambdar, "slow", ""));
            }
            assertThat(scrape(glambdar).value("glambdar_async_queue_depth")).isEqualTo(3);
            for (String job : jobs) {
                Jobs.await(glambdar, job, WITHIN, "succeeded");
            }
            ids.addAll(jobs);
            assertThat(scrape(glambdar).value("glambdar_async_queue_depth")).isZero();

            assertThat(scrape(glambdar).samples()).allSatisfy(sample ->
                    assertThat(sample.labels().values()).as(sample.name()).doesNotContainAnyElementsOf(ids));
        }
    }
}

package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.glambdar.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC "Observability", {@code GET /metrics}, against the real engine: counters read back exactly after invocations
 * of every outcome, the busy-container gauge while a slow function runs, and scrapes that succeed and parse during 32
 * concurrent invocations and during deploys.
 */
@ExtendWith(DockerRequired.class)
class MetricsIT {

    /** {@code throw}: throws; {@code hang}: never answers; {@code sleepN}: answers after N ms; else answers. */
    private static final String BEHAVES = """
            exports.handler = async (req) => {
              if (req.body === 'throw') throw new Error('asked to');
              if (req.body === 'hang') await new Promise(() => {});
              if (req.body.startsWith('sleep')) await new Promise(r => setTimeout(r, Number(req.body.slice(5))));
              return { body: 'done' };
            };
            """;

    private static PrometheusText scrape(ApiClient api) {
        ApiClient.Response response = api.get("/metrics");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(response.body());
    }

    private static double invocations(PrometheusText text, String function, String outcome) {
        return text.value("glambdar_invocations_total", "function", function, "outcome", outcome);
    }

    @Test
    void everyOutcomeIsCountedExactlyAndADeletedFunctionsSeriesGo() throws Exception {
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withQueue(16, Duration.ofSeconds(1))))) {
            glambdar.deployOk("fn", Zips.of(Map.of("index.js", BEHAVES, "glambdar.json",
                    "{\"concurrency\": 1, \"timeout\": 3, \"async\": {\"retries\": 0}}")));

            assertThat(glambdar.invoke("fn", "").status()).isEqualTo(200);
            assertThat(glambdar.invoke("fn", "").status()).isEqualTo(200);
            assertThat(glambdar.invoke("fn", "throw").status()).isEqualTo(502);
            assertThat(glambdar.invoke("fn", "hang").status()).isEqualTo(504);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                CompletableFuture<ApiClient.Response> slow = CompletableFuture.supplyAsync(
                        () -> glambdar.invoke("fn", "sleep2000"), pool);
                Eventually.holds("a container is busy with the slow invocation", Duration.ofSeconds(60),
                        () -> scrape(glambdar).value("glambdar_containers", "state", "busy") == 1);
                ApiClient.Response throttled = glambdar.invoke("fn", "");
                assertThat(throttled.status()).as(throttled.body()).isEqualTo(429);
                assertThat(slow.join().status()).isEqualTo(200);
            }

            PrometheusText text = scrape(glambdar);
            assertThat(invocations(text, "fn", "ok")).isEqualTo(3);
            assertThat(invocations(text, "fn", "error")).isEqualTo(1);
            assertThat(invocations(text, "fn", "timeout")).isEqualTo(1);
            assertThat(invocations(text, "fn", "throttled")).isEqualTo(1);
            assertThat(text.value("glambdar_invocation_duration_seconds_count", "function", "fn", "outcome", "ok"))
                    .isEqualTo(3);
            assertThat(text.value("glambdar_invocation_duration_seconds_sum", "function", "fn", "outcome", "ok"))
                    .as("the slow one took 2 s").isGreaterThanOrEqualTo(2);
            assertThat(text.value("glambdar_invocation_duration_seconds_bucket", "function", "fn", "outcome",
                    "timeout", "le", "2.5")).as("the timeout took its 3 s").isZero();
            long coldStarts = 0;
            for (JsonNode record : glambdar.get("/logs/fn").json().get("invocations")) {
                coldStarts += record.get("coldStart").asBoolean() ? 1 : 0;
            }
            assertThat(text.value("glambdar_cold_starts_total", "function", "fn"))
                    .as("as many as the records say").isEqualTo(coldStarts);
            assertThat(text.value("glambdar_memory_reserved_bytes")).isPositive();
            assertThat(text.types()).containsKeys("jvm_memory_used_bytes", "process_uptime_seconds");

            // An asynchronous attempt is an invocation too, and an attempt.
            String job = Jobs.enqueueOk(glambdar, "fn", "throw");
            Jobs.await(glambdar, job, Duration.ofSeconds(60), "failed");
            PrometheusText afterAsync = scrape(glambdar);
            assertThat(afterAsync.value("glambdar_async_attempts_total", "function", "fn", "outcome", "error"))
                    .isEqualTo(1);
            assertThat(afterAsync.value("glambdar_async_attempts_total", "function", "fn", "outcome", "ok"))
                    .isZero();
            assertThat(invocations(afterAsync, "fn", "error")).isEqualTo(2);
            assertThat(afterAsync.value("glambdar_async_queue_depth")).isZero();

            assertThat(glambdar.delete("/del/fn").status()).isEqualTo(204);
            assertThat(scrape(glambdar).samples()).noneMatch(sample -> "fn".equals(sample.labels().get("function")));
        }
    }

    /** The "bad input": a scrape during 32 concurrent invocations and during a deploy. */
    @Test
    void scrapesDuring32ConcurrentInvocationsAndDeploysSucceedAndParse() throws Exception {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("busy", Zips.of(Map.of("index.js", BEHAVES, "glambdar.json", "{\"reuse\": true}")));
            AtomicBoolean stop = new AtomicBoolean();
            List<CompletableFuture<int[]>> callers = new ArrayList<>();
            List<PrometheusText> scrapes = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 32; i++) {
                    callers.add(CompletableFuture.supplyAsync(() -> {
                        int[] byStatus = new int[600];
                        while (!stop.get()) {
                            byStatus[glambdar.invoke("busy", "sleep50").status()]++;
                        }
                        return byStatus;
                    }, pool));
                }
                Eventually.holds("invocations run", Duration.ofSeconds(60),
                        () -> scrape(glambdar).value("glambdar_containers", "state", "busy") > 0);
                CompletableFuture<Void> deploys = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 3; i++) {
                        assertThat(glambdar.update("other", Zips.of(Zips.HELLO)).status()).isEqualTo(201);
                    }
                }, pool);
                while (!deploys.isDone()) {
                    scrapes.add(scrape(glambdar));
                }
                for (int i = 0; i < 10; i++) {
                    scrapes.add(scrape(glambdar));
                }
                deploys.join();
                stop.set(true);
            }
            int ok = 0;
            int throttled = 0;
            for (CompletableFuture<int[]> caller : callers) {
                int[] byStatus = caller.join();
                ok += byStatus[200];
                throttled += byStatus[429];
                assertThat(byStatus[200] + byStatus[429]).as("only answers and 429s")
                        .isEqualTo(java.util.Arrays.stream(byStatus).sum());
            }
            assertThat(scrapes).hasSizeGreaterThanOrEqualTo(11)
                    .allSatisfy(text -> assertThat(text.types()).containsKeys("glambdar_containers",
                            "jvm_memory_used_bytes"));
            PrometheusText last = scrape(glambdar);
            assertThat(invocations(last, "busy", "ok")).as("every answer counted").isEqualTo(ok);
            assertThat(invocations(last, "busy", "throttled")).isEqualTo(throttled);
            assertThat(invocations(last, "busy", "error")).isZero();
        }
    }
}

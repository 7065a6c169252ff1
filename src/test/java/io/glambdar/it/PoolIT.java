package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import io.glambdar.engine.EngineSettings;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Warm single-use pools, reuse mode and admission control, against the real engine. */
@ExtendWith(DockerRequired.class)
class PoolIT {

    /** Reports which container ran it, how long its process had been up, and how often this process served. */
    private static final String WHO_AM_I = """
            const os = require('os');
            let served = 0;
            exports.handler = async (req) => {
              served++;
              if (req.body === 'crash') process.exit(1);
              if (req.body === 'hang') await new Promise(() => {});
              if (req.body.startsWith('sleep')) await new Promise(r => setTimeout(r, Number(req.body.slice(5))));
              return { body: { host: os.hostname(), uptimeMs: process.uptime() * 1000, served } };
            };
            """;

    private static List<Container> containersOf(Harness glambdar, String function) {
        return glambdar.containers().stream()
                .filter(c -> function.equals(c.getLabels().get(DockerSandboxBackend.LABEL_FUNCTION)))
                .toList();
    }

    private static void awaitContainers(Harness glambdar, String function, String what,
                                        java.util.function.IntPredicate count) {
        Eventually.holds(what, Duration.ofSeconds(60), () -> count.test(containersOf(glambdar, function).size()));
    }

    /** What /info says of the function's containers right now. */
    private static JsonNode containers(Harness glambdar, String function) {
        return glambdar.get("/info/" + function).json().get("containers");
    }

    @Test
    void singleUseContainersAreWarmAndServeExactlyOneInvocation() {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("whoami", Zips.of(WHO_AM_I));
            Set<String> hosts = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                Eventually.holds("a warm container is ready", Duration.ofSeconds(60),
                        () -> containers(glambdar, "whoami").get("warm").asInt() >= 1);
                ApiClient.Response response = glambdar.invoke("whoami", "");
                assertThat(response.status()).isEqualTo(200);
                JsonNode seen = response.json();
                assertThat(seen.get("served").asInt()).as("a single-use container serves once").isEqualTo(1);
                hosts.add(seen.get("host").asText());
                JsonNode record = glambdar.get("/logs/whoami/" + response.header("X-Glambdar-Invocation-Id")).json();
                assertThat(record.get("coldStart").asBoolean()).as("served by a container started ahead of time")
                        .isFalse();
                assertThat(record.get("initDurationMs").asLong()).isZero();
            }
            assertThat(hosts).as("no two invocations share a container").hasSize(8);
            // The pool refills after use: a fresh container is waiting again, none that served.
            Eventually.holds("the pool refills and the used containers are gone", Duration.ofSeconds(60), () -> {
                JsonNode now = containers(glambdar, "whoami");
                return now.get("warm").asInt() >= 1 && now.get("removing").asInt() == 0
                        && now.get("busy").asInt() == 0;
            });
            Set<String> waiting = new HashSet<>();
            containersOf(glambdar, "whoami").forEach(c -> waiting.add(c.getId().substring(0, 12)));
            assertThat(waiting).doesNotContainAnyElementsOf(hosts);
        }
    }

    /**
     * Review defect a, as a user met it: a reuse-mode function whose handler leaves a timer that throws after the
     * reply answered 200 four times, then 429 forever, because its dead containers were never subtracted.
     */
    @Test
    void aReuseFunctionWhoseContainersDieAfterEachReplyKeepsAnswering() throws Exception {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("leaky", Zips.of(Map.of("index.js", """
                    exports.handler = async () => {
                      setTimeout(() => { throw new Error('a late failure after the reply'); }, 200);
                      return { body: 'ok' };
                    };
                    """, "glambdar.json", "{\"reuse\": true, \"timeout\": 5}")));
            for (int i = 0; i < 12; i++) {
                ApiClient.Response response = glambdar.invoke("leaky", "");
                assertThat(response.status()).as("call %d: %s", i, response.body()).isEqualTo(200);
                Thread.sleep(400); // the container dies while idle
            }
            Eventually.holds("dead containers are gone, not counted", Duration.ofSeconds(30), () -> {
                JsonNode now = containers(glambdar, "leaky");
                return now.get("removing").asInt() == 0 && now.get("busy").asInt() == 0
                        && now.get("warm").asInt() + now.get("starting").asInt() <= 1;
            });
        }
    }

    @Test
    void memoryAdmissionKeepsTheSumOfContainerMemoryWithinTheBudget() throws Exception {
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withPooling(false).withMaxMemoryMb(512)))) {
            ApiClient.Response tooBig = glambdar.deploy("huge.zip", Zips.of(Map.of("index.js", WHO_AM_I,
                    "glambdar.json", "{\"memory\": 1024}")));
            assertThat(tooBig.status()).isEqualTo(400);
            assertThat(tooBig.json().get("error").asText()).contains("memory").contains("GLAMBDAR_MAX_MEMORY_MB");

            glambdar.deployOk("big", Zips.of(Map.of("index.js", WHO_AM_I, "glambdar.json", "{\"memory\": 256}")));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger mostSeen = new AtomicInteger();
            CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    mostSeen.accumulateAndGet(containersOf(glambdar, "big").size(), Math::max);
                }
            });
            List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 6; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("big", "sleep700"), pool));
                }
                for (CompletableFuture<ApiClient.Response> call : calls) {
                    assertThat(call.join().status()).isEqualTo(200);
                }
            } finally {
                running.set(false);
                watcher.join();
            }
            assertThat(mostSeen.get()).as("256 MB containers alive at once within 512 MB").isBetween(1, 2);
        }
    }

    /**
     * SPEC "Limits": a function whose memory exceeds GLAMBDAR_MAX_MEMORY_MB fails its deploy with a 400, the default
     * memory (128 MB) of one that sets none included: it could never run on this server.
     */
    @Test
    void aFunctionWhoseDefaultMemoryExceedsTheBudgetFailsItsDeploy() {
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withMaxMemoryMb(100)))) {
            for (ApiClient.Response refused : List.of(
                    glambdar.deploy("plain.zip", Zips.of(Map.of("index.js", WHO_AM_I))),
                    glambdar.deploy("quiet.zip", Zips.of(Map.of("index.js", WHO_AM_I,
                            "glambdar.json", "{\"timeout\": 5}"))))) {
                assertThat(refused.status()).as(refused.body()).isEqualTo(400);
                assertThat(refused.json().get("error").asText()).contains("memory")
                        .contains("GLAMBDAR_MAX_MEMORY_MB");
            }
            glambdar.deployOk("small", Zips.of(Map.of("index.js", WHO_AM_I,
                    "glambdar.json", "{\"memory\": 96, \"tmp\": 16}")));
            assertThat(glambdar.invoke("small", "").status()).isEqualTo(200);
        }
    }

    /** SPEC "Limits": beyond its concurrency an invocation waits, bounded by the queue timeout, then gets 429. */
    @Test
    void beyondItsConcurrencyAnInvocationWaitsThenGets429() throws Exception {
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withQueue(16, Duration.ofSeconds(1))))) {
            glambdar.deployOk("single", Zips.of(Map.of("index.js", WHO_AM_I,
                    "glambdar.json", "{\"concurrency\": 1, \"timeout\": 30}")));
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                CompletableFuture<ApiClient.Response> first = CompletableFuture.supplyAsync(
                        () -> glambdar.invoke("single", "sleep4000"), pool);
                Eventually.holds("the first one runs", Duration.ofSeconds(60),
                        () -> containers(glambdar, "single").get("busy").asInt() == 1);
                ApiClient.Response second = glambdar.invoke("single", "");
                assertThat(second.status()).as(second.body()).isEqualTo(429);
                assertThat(second.header("Retry-After")).isNotBlank();
                assertThat(second.json().get("error").asText()).contains("\"concurrency\" limit of 1");
                assertThat(first.join().status()).isEqualTo(200);
            }
            assertThat(glambdar.invoke("single", "").status()).as("once the first is done").isEqualTo(200);
        }
    }

    /** SPEC "Limits": GLAMBDAR_MAX_MEMORY_MB defaults to 3/4 of the Docker host's memory. */
    @Test
    void theMemoryBudgetDefaultsToThreeQuartersOfTheDockerHostsMemory() {
        long hostMemoryBytes;
        try (DockerConnection docker = DockerConnection.open()) {
            hostMemoryBytes = docker.memoryBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Harness glambdar = Harness.start()) {
            JsonNode load = glambdar.get("/health").json().get("load");
            assertThat(load.get("maxMemoryMb").asLong()).isEqualTo(hostMemoryBytes * 3 / 4 / (1024 * 1024));
            assertThat(load.get("memoryReservedMb").asLong()).isZero();
        }
    }

    @Test
    void perFunctionConcurrencyRunsOneAtATime() throws Exception {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("serial", Zips.of(Map.of("index.js", """
                    let running = 0;
                    exports.handler = async () => {
                      running++;
                      const seen = running;
                      await new Promise(r => setTimeout(r, 300));
                      running--;
                      return { body: { seen } };
                    };
                    """, "glambdar.json", "{\"concurrency\": 1, \"reuse\": true}")));
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicInteger mostBusy = new AtomicInteger();
            CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
                while (watching.get()) {
                    mostBusy.accumulateAndGet(containers(glambdar, "serial").get("busy").asInt(), Math::max);
                }
            });
            List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 4; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("serial", ""), pool));
                }
                for (CompletableFuture<ApiClient.Response> call : calls) {
                    ApiClient.Response response = call.join();
                    assertThat(response.status()).as(response.body()).isEqualTo(200);
                    assertThat(response.json().get("seen").asInt()).isEqualTo(1);
                }
            } finally {
                watching.set(false);
                watcher.join();
            }
            assertThat(mostBusy.get()).isEqualTo(1);
        }
    }

    @Test
    void idlePoolShrinksToZero() {
        try (Harness glambdar = Harness.start(c -> c.withEngine(new EngineSettings(true, 4, 32,
                Duration.ofSeconds(2), false, 4, 100, Duration.ofSeconds(2), 16 * 128, 64, Duration.ofSeconds(10),
                Duration.ofSeconds(60), EngineSettings.DEFAULT_CLEANUP_DELAY)))) {
            glambdar.deployOk("idle", Zips.of(WHO_AM_I));
            assertThat(glambdar.invoke("idle", "").status()).isEqualTo(200);
            awaitContainers(glambdar, "idle", "a warm container is kept", n -> n >= 1);
            awaitContainers(glambdar, "idle", "the idle pool shrinks to zero", n -> n == 0);
            // and the next invocation still works (cold), warming the pool again
            assertThat(glambdar.invoke("idle", "").status()).isEqualTo(200);
            awaitContainers(glambdar, "idle", "used again, the pool warms up", n -> n >= 1);
        }
    }

    @Test
    void deleteAndRedeployLeaveNoPooledContainerBehind() {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("versioned", Zips.of("exports.handler = async () => ({ body: 'v1' });"));
            awaitContainers(glambdar, "versioned", "v1 is warm", n -> n >= 1);
            Set<String> v1 = new HashSet<>();
            containersOf(glambdar, "versioned").forEach(c -> v1.add(c.getId()));

            assertThat(glambdar.delete("/del/versioned").status()).isEqualTo(204);
            glambdar.deployOk("versioned", Zips.of("exports.handler = async () => ({ body: 'v2' });"));
            assertThat(glambdar.invoke("versioned", "").body()).isEqualTo("\"v2\"");
            Eventually.holds("v1's containers are gone", Duration.ofSeconds(30), () ->
                    glambdar.containers().stream().noneMatch(c -> v1.contains(c.getId())));

            assertThat(glambdar.delete("/del/versioned").status()).isEqualTo(204);
            awaitContainers(glambdar, "versioned", "nothing is left after delete", n -> n == 0);
        }
    }

    @Test
    void reuseModeServesSequentialCallsFromOneContainerAndReplacesFailedOnes() {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("reused", Zips.of(Map.of("index.js", WHO_AM_I,
                    "glambdar.json", "{\"reuse\": true, \"timeout\": 2}")));
            String first = null;
            for (int i = 1; i <= 10; i++) {
                JsonNode seen = glambdar.invoke("reused", "").json();
                if (first == null) {
                    first = seen.get("host").asText();
                }
                assertThat(seen.get("host").asText()).isEqualTo(first);
                assertThat(seen.get("served").asInt()).isEqualTo(i);
            }

            ApiClient.Response crashed = glambdar.invoke("reused", "crash");
            assertThat(crashed.status()).isEqualTo(502);
            assertThat(crashed.json().get("code").asText()).isEqualTo("process_exited");
            JsonNode afterCrash = glambdar.invoke("reused", "").json();
            assertThat(afterCrash.get("host").asText()).isNotEqualTo(first);
            assertThat(afterCrash.get("served").asInt()).isEqualTo(1);

            ApiClient.Response hung = glambdar.invoke("reused", "hang");
            assertThat(hung.status()).isEqualTo(504);
            JsonNode afterTimeout = glambdar.invoke("reused", "").json();
            assertThat(afterTimeout.get("host").asText()).isNotEqualTo(afterCrash.get("host").asText());
            assertThat(afterTimeout.get("served").asInt()).isEqualTo(1);
        }
    }

    @Test
    void reuseModeRunsMoreContainersUnderConcurrencyUpToItsLimit() throws Exception {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("parallel", Zips.of(Map.of("index.js", WHO_AM_I, "glambdar.json", "{\"reuse\": true}")));
            List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 12; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("parallel", "sleep300"), pool));
                }
                Set<String> hosts = new HashSet<>();
                for (CompletableFuture<ApiClient.Response> call : calls) {
                    ApiClient.Response response = call.join();
                    assertThat(response.status()).isEqualTo(200);
                    hosts.add(response.json().get("host").asText());
                }
                assertThat(hosts).as("more than one container, at most the per-function limit").hasSizeBetween(2, 4);
            }
        }
    }

    @Test
    void admissionControlAnswersEveryCallAndRecovers() throws Exception {
        int limit = 16;
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withMaxMemoryMb(limit * 128L)
                .withQueue(24, Duration.ofSeconds(3))))) {
            glambdar.deployOk("busy", Zips.of(WHO_AM_I));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger mostSeen = new AtomicInteger();
            CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
                while (running.get()) {
                    mostSeen.accumulateAndGet(glambdar.containers().size(), Math::max);
                }
            });
            List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
            int ok = 0;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 100; i++) {
                    calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("busy", "sleep500"), pool));
                }
                int rejected = 0;
                for (CompletableFuture<ApiClient.Response> call : calls) {
                    ApiClient.Response response = call.join();
                    assertThat(response.status()).as(response.body()).isIn(200, 429);
                    if (response.status() == 429) {
                        rejected++;
                        assertThat(response.header("Retry-After")).isNotBlank();
                        assertThat(response.json().get("error").asText()).contains("retry");
                    } else {
                        ok++;
                    }
                }
                assertThat(ok).isPositive();
                assertThat(rejected).as("more calls than containers plus queue").isPositive();
            } finally {
                running.set(false);
                watcher.join();
            }
            assertThat(mostSeen.get()).as("containers alive at once").isLessThanOrEqualTo(limit);
            // once the burst is over, calls succeed again
            assertThat(glambdar.invoke("busy", "").status()).isEqualTo(200);
            assertThat(glambdar.get("/info/busy").json().get("invokeCount").asLong())
                    .as("exactly the calls that ran are counted; the rejected ones never ran").isEqualTo(ok + 1);
        }
    }
}

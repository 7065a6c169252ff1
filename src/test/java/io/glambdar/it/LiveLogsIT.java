package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC Observability end to end against Docker: {@code GET /logs/:name?follow=true} streams what functions print as
 * they print it, and a report per invocation; invocation records carry the report.
 */
@ExtendWith(DockerRequired.class)
class LiveLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long an invocation waits for capacity before a 429: short, so that a test can make one quickly. */
    private static final Duration QUEUE_TIMEOUT = Duration.ofMillis(300);
    private static final long MEMORY_MB = 128;
    /** Only guards against a broken server hanging the build. */
    private static final long GUARD_SECONDS = 60;

    private static Harness glambdar;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        glambdar = Harness.start(c -> c.withEngine(c.engine().withQueue(c.engine().queueSize(), QUEUE_TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    private static void deploy(String name, String code, String settings) {
        glambdar.deployOk(name, Zips.of(Map.of("index.js", code, "glambdar.json", settings)));
    }

    @Test
    void aLineArrivesWhileTheInvocationStillRunsThenTheRestAndItsReport() throws Exception {
        deploy("slowprinter", """
                exports.handler = async () => {
                  console.log('first');
                  await new Promise((resolve) => setTimeout(resolve, 3000));
                  console.error('second');
                  return { statusCode: 201, body: { ok: true } };
                };
                """, "{\"memory\": " + MEMORY_MB + "}");
        Follow follow = follow("slowprinter");

        Future<ApiClient.Response> call = threads.submit(() -> glambdar.invoke("slowprinter", "{}"));
        JsonNode first = follow.next();

        assertThat(call.isDone()).as("the first line came while the function still waited 3 s").isFalse();
        assertThat(first.get("type").asText()).isEqualTo("log");
        assertThat(first.get("stream").asText()).isEqualTo("stdout");
        assertThat(first.get("line").asText()).isEqualTo("first");
        assertThat(first.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        String id = first.get("invocationId").asText();
        assertThat(call.get(GUARD_SECONDS, TimeUnit.SECONDS).status()).isEqualTo(201);
        JsonNode second = follow.next();
        assertThat(second.get("stream").asText()).isEqualTo("stderr");
        assertThat(second.get("line").asText()).isEqualTo("second");
        assertThat(second.get("invocationId").asText()).isEqualTo(id);
        JsonNode report = follow.next();
        assertThat(report.get("type").asText()).isEqualTo("report");
        assertThat(report.get("invocationId").asText()).isEqualTo(id);
        assertThat(report.get("outcome").asText()).isEqualTo("ok");
        assertThat(report.get("statusCode").asInt()).isEqualTo(201);
        assertThat(report.get("durationMs").asLong()).isGreaterThanOrEqualTo(3000);
        assertThat(report.has("initDurationMs")).isTrue();
        assertThat(report.has("coldStart")).isTrue();
        assertThat(report.get("maxMemoryBytes").asLong()).isBetween(10L * 1024 * 1024, MEMORY_MB * 1024 * 1024);
        follow.close();

        // The same report on the invocation's record.
        JsonNode record = glambdar.get("/logs/slowprinter/" + id).json();
        assertThat(record.get("outcome").asText()).isEqualTo("ok");
        assertThat(record.get("status").asText()).isEqualTo("ok");
        assertThat(record.get("durationMs").asLong()).isEqualTo(report.get("durationMs").asLong());
        assertThat(record.get("maxMemoryBytes").asLong()).isEqualTo(report.get("maxMemoryBytes").asLong());
        assertThat(record.get("logs").asText()).isEqualTo("first\nsecond\n");
    }

    @Test
    void reportsSayErrorTimeoutAndThrottled() throws Exception {
        deploy("moods", """
                exports.handler = async (req) => {
                  if (req.path === '/throw') throw new Error('no');
                  if (req.path === '/hang') await new Promise(() => {});
                  if (req.path === '/hold') await new Promise((resolve) => setTimeout(resolve, 2000));
                  return { body: 'fine' };
                };
                """, "{\"timeout\": 3, \"reuse\": true, \"memory\": " + MEMORY_MB + "}");
        Follow follow = follow("moods");
        ApiClient.Response warm = glambdar.get("/invoke/moods/ok"); // the container starts: not within the hang's 3 s
        assertThat(warm.status()).as(warm.body()).isEqualTo(200);
        assertThat(follow.nextOfType("report").get("outcome").asText()).isEqualTo("ok");

        ApiClient.Response thrown = glambdar.get("/invoke/moods/throw");
        assertThat(thrown.status()).as(thrown.body()).isEqualTo(502);
        JsonNode error = follow.nextOfType("report");
        assertThat(error.get("outcome").asText()).isEqualTo("error");
        assertThat(error.get("statusCode").asInt()).as("the status its caller got").isEqualTo(502);
        assertThat(error.get("maxMemoryBytes").asLong()).isBetween(10L * 1024 * 1024, MEMORY_MB * 1024 * 1024);

        assertThat(glambdar.get("/invoke/moods/hang").status()).isEqualTo(504);
        JsonNode timeout = follow.nextOfType("report");
        assertThat(timeout.get("outcome").asText()).isEqualTo("timeout");
        assertThat(timeout.get("maxMemoryBytes").isNull()).as("stopped before it replied").isTrue();
        assertThat(timeout.get("statusCode").asInt()).isEqualTo(504);

        // Concurrency 1: while one call holds the only slot, another waits 300 ms for it and gets a 429.
        deploy("holder", """
                exports.handler = async () => { await new Promise((resolve) => setTimeout(resolve, 3000)); return {}; };
                """, "{\"timeout\": 10, \"concurrency\": 1, \"reuse\": true}");
        Follow holderFollow = follow("holder");
        Future<ApiClient.Response> holding = threads.submit(() -> glambdar.invoke("holder", "{}"));
        Eventually.holds("the first call runs", Duration.ofSeconds(GUARD_SECONDS),
                () -> glambdar.get("/health").json().path("load").path("running").asInt() >= 1);
        ApiClient.Response throttled = glambdar.invoke("holder", "{}");
        assertThat(throttled.status()).isEqualTo(429);
        JsonNode report = holderFollow.nextOfType("report");
        assertThat(report.get("outcome").asText()).isEqualTo("throttled");
        assertThat(report.get("statusCode").asInt()).isEqualTo(429);
        String throttledId = report.get("invocationId").asText();
        assertThat(holding.get(GUARD_SECONDS, TimeUnit.SECONDS).status()).isEqualTo(200);
        JsonNode record = glambdar.get("/logs/holder/" + throttledId).json();
        assertThat(record.get("outcome").asText()).isEqualTo("throttled");
        assertThat(record.get("statusCode").asInt()).isEqualTo(429);
        assertThat(glambdar.get("/info/holder").json().get("invokeCount").asLong())
                .as("a throttled call never ran: not counted").isEqualTo(1);
        follow.close();
        holderFollow.close();
    }

    /**
     * SPEC: a follower is dropped as too_slow when it does not keep up, not for one burst: 5,000 lines printed in one
     * turn of the event loop (sent to the runtime together) all reach a follower that reads as they come.
     */
    @Test
    void aBurstOfFiveThousandLinesReachesAFollowerThatKeepsUp() throws Exception {
        int lines = 5000;
        deploy("burst", """
                exports.handler = async () => {
                  for (let i = 0; i < %d; i++) console.log('burst line ' + i);
                  return {};
                };
                """.formatted(lines), "{\"reuse\": true}");
        Follow follow = follow("burst");

        assertThat(glambdar.invoke("burst", "{}").status()).isEqualTo(200);
        for (int i = 0; i < lines; i++) {
            JsonNode line = follow.next();
            assertThat(line.get("type").asText()).as("event %d", i).isEqualTo("log");
            assertThat(line.get("line").asText()).isEqualTo("burst line " + i);
        }
        assertThat(follow.next().get("type").asText()).isEqualTo("report");
        follow.close();
    }

    @Test
    void fiftyFollowersOneNeverReadingTheOthersGetEverythingAndTheStalledOneIsDropped() throws Exception {
        int invocations = 40;
        int linesEach = 150;
        deploy("chatty", """
                exports.handler = async () => {
                  const line = 'x'.repeat(1000);
                  for (let i = 0; i < %d; i++) console.log(i + ' ' + line);
                  return {};
                };
                """.formatted(linesEach), "{\"reuse\": true}");
        long alone = timedInvocations("chatty", invocations); // the same calls with nobody following, to compare
        List<Follow> follows = new ArrayList<>();
        for (int i = 0; i < 49; i++) {
            follows.add(follow("chatty"));
        }
        // Each reader says when it has an invocation's report, and the next invocation waits for all of them: a
        // follower that keeps up is then never more than one invocation (150 KB) behind, far within its bound, on a
        // machine of any speed, while the one that never reads falls ever further behind.
        Semaphore reportsRead = new Semaphore(0);
        List<Future<Integer>> counts = new ArrayList<>();
        for (Follow follow : follows) {
            counts.add(threads.submit(() -> {
                int reports = 0;
                int lines = 0;
                while (reports < invocations) {
                    JsonNode event = follow.next();
                    switch (event.get("type").asText()) {
                        case "report" -> {
                            reports++;
                            reportsRead.release();
                        }
                        case "log" -> lines++;
                        default -> throw new AssertionError("unexpected " + event);
                    }
                }
                return lines;
            }));
        }
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", glambdar.server.port()));
            stalled.setSoTimeout((int) TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
            stalled.getOutputStream().write(("GET /logs/chatty?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Its head says it follows; then it reads nothing more.
            byte[] head = new byte[12];
            assertThat(stalled.getInputStream().readNBytes(head, 0, head.length)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");

            long followed = 0;
            for (int i = 0; i < invocations; i++) {
                followed += timedInvocations("chatty", 1);
                assertThat(reportsRead.tryAcquire(follows.size(), GUARD_SECONDS, TimeUnit.SECONDS))
                        .as("every reading follower got invocation %d's report", i).isTrue();
            }
            // Not asserted (the followers' readers share this machine's CPU with the server): shown for the report.
            System.out.printf("LiveLogsIT: %d invocations printing %d KB each: %d ms alone, %d ms with 50 followers"
                    + " (one never reading)%n", invocations, linesEach, TimeUnit.NANOSECONDS.toMillis(alone),
                    TimeUnit.NANOSECONDS.toMillis(followed));

            for (Future<Integer> count : counts) {
                assertThat(count.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(invocations * linesEach);
            }
            // The stalled follower's connection was closed: reading what is left ends.
            String rest = new String(stalled.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(rest).doesNotContain("\"reason\":\"deleted\"");
        }
        follows.forEach(Follow::close);
    }

    @Test
    void aFollowerOfAFunctionThatIsDeletedEndsWithTheDeletedLine() throws Exception {
        deploy("doomed", "exports.handler = async () => ({});", "{}");
        Follow follow = follow("doomed");

        assertThat(glambdar.delete("/del/doomed").status()).isEqualTo(204);

        assertThat(follow.next()).isEqualTo(JSON.readTree("{\"type\":\"end\",\"reason\":\"deleted\"}"));
        assertThat(follow.lines.hasNext()).isFalse();
    }

    @Test
    void anAsyncInvocationsRecordCarriesItsPeakMemory() {
        deploy("later", "exports.handler = async () => { console.log('ran'); return {}; };",
                "{\"memory\": " + MEMORY_MB + "}");
        String id = Jobs.enqueueOk(glambdar, "later", "{}");

        JsonNode job = Jobs.await(glambdar, id, Duration.ofSeconds(GUARD_SECONDS), "succeeded");

        assertThat(job.get("outcome").asText()).isEqualTo("ok");
        assertThat(job.get("maxMemoryBytes").asLong()).isBetween(10L * 1024 * 1024, MEMORY_MB * 1024 * 1024);
    }

    /** Runs {@code count} invocations one after another, each a 200; returns how long they took, in ms. */
    /** Nanoseconds that {@code count} invocations of {@code name}, one after the other, take. */
    private static long timedInvocations(String name, int count) {
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            assertThat(glambdar.invoke(name, "{}").status()).isEqualTo(200);
        }
        return System.nanoTime() - started;
    }

    /** One follower: its response head has arrived (so the server follows for it), its lines come as sent. */
    private record Follow(HttpResponse<Stream<String>> response, Iterator<String> lines) {
        JsonNode next() {
            try {
                return JSON.readTree(lines.next());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        JsonNode nextOfType(String type) {
            for (;;) {
                JsonNode event = next();
                if (event.get("type").asText().equals(type)) {
                    return event;
                }
            }
        }

        void close() {
            response.body().close();
        }
    }

    private static Follow follow(String name) throws Exception {
        HttpResponse<Stream<String>> response = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + glambdar.server.port() + "/logs/" + name + "?follow=true"))
                .build(), HttpResponse.BodyHandlers.ofLines()).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/x-ndjson");
        return new Follow(response, response.body().iterator());
    }
}

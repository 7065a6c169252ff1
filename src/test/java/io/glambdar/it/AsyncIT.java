package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.app.AsyncOptions;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asynchronous invocations end to end against real Docker (SPEC "Asynchronous invocations"; issue 8's "Bad input and
 * faults it must survive"): the record, retries and the dead-letter list, maximum age, cancelling, callbacks that
 * fail in every way, idempotency keys, and deleting a function with queued jobs.
 *
 * <p>One server for the class, with at most two async invocations at once (so a test can hold both and keep a job
 * queued), a 1 s callback timeout (so a hanging callback target costs seconds, not minutes) and a 1 s wait for
 * capacity (so a 429 comes quickly).
 */
@ExtendWith(DockerRequired.class)
class AsyncIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ASYNC_CONCURRENCY = 2;
    private static final Duration JOB_DONE = Duration.ofSeconds(60);
    /** How long an invocation waits for capacity before a 429: short, so that a test can make one quickly. */
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(1);

    /**
     * Prints which job and attempt it runs (what {@link Jobs#attemptsLogged} counts), then answers with what it saw.
     * Body {@code binary}: answers four bytes that are not UTF-8; {@code sleep N}: sleeps N ms first.
     */
    static final String ECHO = """
            exports.handler = async (req) => {
              const id = req.headers['x-glambdar-invocation-id'];
              const attempt = req.headers['x-glambdar-attempt'];
              console.log(`ran ${id} attempt ${attempt}`);
              if (req.headers['x-mirror']) {
                return { headers: { 'content-type': 'application/octet-stream' }, body: req.rawBody };
              }
              if (req.body === 'binary') {
                return { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0xff, 0xfe, 0x00, 0x80]) };
              }
              if (req.body.startsWith('sleep ')) {
                await new Promise(r => setTimeout(r, Number(req.body.slice(6))));
              }
              return {
                statusCode: 201,
                headers: { 'x-echo': 'yes' },
                body: { id, attempt, custom: req.headers['x-custom'] ?? null, method: req.method ?? null,
                        length: req.body.length, body: req.body.length <= 1000 ? req.body : null }
              };
            };
            """;

    /** Fails every attempt, after printing it. */
    static final String THROWS = """
            exports.handler = async (req) => {
              console.log(`ran ${req.headers['x-glambdar-invocation-id']} attempt ${req.headers['x-glambdar-attempt']}`);
              throw new Error('always fails');
            };
            """;

    private static Harness glambdar;

    @BeforeAll
    static void start() {
        glambdar = Harness.start(c -> c
                .withAsync(new AsyncOptions(ASYNC_CONCURRENCY, AsyncOptions.DEFAULTS.retention(), Duration.ofSeconds(1)))
                .withEngine(c.engine().withQueue(c.engine().queueSize(), QUEUE_TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    static byte[] function(String code, String settings) {
        return Zips.of(Map.of("index.js", code, "glambdar.json", settings));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant instant(JsonNode job, String field) {
        assertThat(job.path(field).isTextual()).as("%s in %s", field, job).isTrue();
        return Instant.parse(job.get(field).asText());
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * A function deployed under a larger memory budget than the server now runs with can never run: its job fails at
     * once with {@code too_large}, a dead letter to retry once the budget is raised, rather than trying every second
     * until its age runs out; a synchronous call gets the 503 that says so.
     */
    @Test
    void aJobWhoseFunctionNeedsMoreMemoryThanTheServerHasFailsAtOnceAsADeadLetter() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            try (Harness roomy = Harness.startIn(dir,
                    config -> config.withEngine(config.engine().withMaxMemoryMb(1024)))) {
                roomy.deployOk("big", Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json",
                        "{\"memory\": 512, \"async\": {\"retries\": 2, \"retryDelaySeconds\": 1}}")));
            }
            try (Harness tight = Harness.startIn(dir,
                    config -> config.withEngine(config.engine().withMaxMemoryMb(256)))) {
                ApiClient.Response sync = tight.invoke("big", "{}");
                assertThat(sync.status()).as(sync.body()).isEqualTo(503);
                assertThat(sync.json().get("code").asText()).isEqualTo("too_large");
                assertThat(sync.json().get("error").asText()).contains("GLAMBDAR_MAX_MEMORY_MB");

                String id = Jobs.enqueueOk(tight, "big", "{}");
                JsonNode job = Jobs.await(tight, id, Duration.ofSeconds(30), "failed");
                assertThat(job.path("error").path("code").asText()).isEqualTo("too_large");
                assertThat(job.path("attempts").asInt()).as("no retry: it cannot help").isEqualTo(1);
                assertThat(Jobs.ids(Jobs.list(tight, "function=big&status=failed"))).containsExactly(id);
                assertThat(tight.get("/info/big").json().get("asyncFailed").asInt()).isEqualTo(1);
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    @Test
    void aQueuedJobRunsAndItsRecordSaysWhatHappened() {
        glambdar.deployOk("greet", function(ECHO, "{\"reuse\": true}"));

        ApiClient.Response accepted = Jobs.enqueue(glambdar, "greet", "{\"name\":\"ada\"}",
                "Content-Type", "application/json", "X-Custom", "abc",
                // the server's own headers cannot be forged by the caller
                "X-Glambdar-Attempt", "99", "X-Glambdar-Invocation-Id", "forged");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().path("invocationId").asText();
        assertThat(id).isNotBlank();
        assertThat(accepted.json().path("status").asText()).isEqualTo("queued");
        assertThat(accepted.header("Location")).isEqualTo("/invocations/" + id);

        JsonNode job = Jobs.await(glambdar, id, JOB_DONE, "succeeded");
        assertThat(job.path("invocationId").asText()).isEqualTo(id);
        assertThat(job.path("function").asText()).isEqualTo("greet");
        assertThat(job.path("version").asInt()).isEqualTo(1);
        assertThat(job.path("attempts").asInt()).isEqualTo(1);
        Instant created = instant(job, "createdAt");
        Instant started = instant(job, "startedAt");
        Instant finished = instant(job, "finishedAt");
        assertThat(created).isBeforeOrEqualTo(started);
        assertThat(started).isBeforeOrEqualTo(finished);
        assertThat(job.path("error").isNull()).as("error is null: %s", job).isTrue();
        assertThat(job.path("nextAttemptAt").isMissingNode() || job.path("nextAttemptAt").isNull())
                .as("no next attempt for a finished job: %s", job).isTrue();

        JsonNode result = job.path("result");
        assertThat(result.path("statusCode").asInt()).isEqualTo(201);
        assertThat(result.path("bodyEncoding").asText()).isEqualTo("utf8");
        assertThat(result.path("headers").toString()).as("headers the function set").contains("x-echo", "yes");
        JsonNode seen = json(result.path("body").asText());
        assertThat(seen.path("id").asText()).as("x-glambdar-invocation-id is the job's id").isEqualTo(id);
        assertThat(seen.path("attempt").asText()).as("x-glambdar-attempt").isEqualTo("1");
        assertThat(seen.path("custom").asText()).as("the request's own headers reach the function").isEqualTo("abc");
        assertThat(seen.path("body").asText()).isEqualTo("{\"name\":\"ada\"}");
        assertThat(job.path("logs").asText()).contains("ran " + id + " attempt 1");

        // the report fields of Observability
        assertThat(job.path("durationMs").isNumber()).as("durationMs in %s", job).isTrue();
        assertThat(job.path("initDurationMs").isNumber()).as("initDurationMs in %s", job).isTrue();
        assertThat(job.path("coldStart").isBoolean()).as("coldStart in %s", job).isTrue();
        // present; null until the observability issue measures the function's peak memory
        assertThat(job.has("maxMemoryBytes")).as("maxMemoryBytes in %s", job).isTrue();
        // The worker's peak RSS: node's own tens of MB, within the default 128 MB.
        assertThat(job.get("maxMemoryBytes").asLong()).isBetween(10L * 1024 * 1024, 128L * 1024 * 1024);
        assertThat(job.path("outcome").asText()).isEqualTo("ok");
        assertThat(Jobs.attemptsLogged(glambdar, "greet", id)).as("the invocation logs show one run").containsExactly(1);

        // a body that is not UTF-8 comes back in base64
        String binaryId = Jobs.enqueueOk(glambdar, "greet", "binary");
        JsonNode binary = Jobs.await(glambdar, binaryId, JOB_DONE, "succeeded");
        assertThat(binary.path("result").path("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(binary.path("result").path("body").asText()).isEqualTo("//4AgA==");
        assertThat(binary.path("result").path("statusCode").asInt()).isEqualTo(200);

        // and a request body that is not UTF-8 reaches the function byte for byte
        byte[] raw = {(byte) 0xff, 0x00, (byte) 0x80, 0x41, (byte) 0xc3};
        ApiClient.Response mirrorAccepted = Jobs.enqueue(glambdar, "greet", raw, "X-Mirror", "1",
                "Content-Type", "application/octet-stream");
        assertThat(mirrorAccepted.status()).isEqualTo(202);
        String mirrorId = mirrorAccepted.json().path("invocationId").asText();
        JsonNode mirrored = Jobs.await(glambdar, mirrorId, JOB_DONE, "succeeded");
        assertThat(mirrored.path("result").path("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(mirrored.path("result").path("body").asText())).isEqualTo(raw);

        List<JsonNode> listed = Jobs.list(glambdar, "function=greet");
        assertThat(Jobs.ids(listed)).as("newest first").containsExactly(mirrorId, binaryId, id);
        assertThat(listed.get(1).path("status").asText()).isEqualTo("succeeded");
        assertThat(listed).allSatisfy(j -> assertThat(j.path("function").asText()).isEqualTo("greet"));
        assertThat(Jobs.ids(Jobs.list(glambdar, "function=greet&limit=1"))).containsExactly(mirrorId);
        assertThat(Jobs.ids(Jobs.list(glambdar, "function=greet&status=succeeded")))
                .containsExactly(mirrorId, binaryId, id);
        assertThat(Jobs.list(glambdar, "function=greet&status=failed")).isEmpty();

        JsonNode info = glambdar.get("/info/greet").json();
        assertThat(info.path("asyncQueued").isNumber()).as("asyncQueued in %s", info).isTrue();
        assertThat(info.path("asyncFailed").isNumber()).as("asyncFailed in %s", info).isTrue();
        assertThat(info.path("asyncQueued").asInt()).isZero();
        assertThat(info.path("asyncFailed").asInt()).isZero();
    }

    /** SPEC: the request as {@code /invoke} passes it: sub-path, decoded query, raw query and method. */
    @Test
    void aSubPathAndQueryReachTheFunctionAsFromInvoke() {
        glambdar.deployOk("paths", function("""
                exports.handler = async (req) => ({ body: { method: req.method, path: req.path, query: req.query,
                                                            rawQuery: req.rawQuery } });
                """, "{\"reuse\": true}"));

        ApiClient.Response accepted = glambdar.post("/async/paths/any/sub/path?q=1&t=a&t=b", "");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        JsonNode job = Jobs.await(glambdar, accepted.json().path("invocationId").asText(), JOB_DONE, "succeeded");

        JsonNode seen = json(job.path("result").path("body").asText());
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("path").asText()).isEqualTo("/any/sub/path");
        assertThat(seen.path("rawQuery").asText()).isEqualTo("q=1&t=a&t=b");
        assertThat(seen.path("query")).isEqualTo(json("{\"q\": \"1\", \"t\": [\"a\", \"b\"]}"));
    }

    /**
     * SPEC's defaults, seen from outside: without {@code "async"} settings a failed attempt is retried 60 s (±20 %)
     * later. (The job is cancelled rather than waited for.)
     */
    @Test
    void withoutAsyncSettingsAFailedAttemptIsRetriedAMinuteLater() {
        glambdar.deployOk("defaults", function(THROWS, "{\"reuse\": true}"));
        String id = Jobs.enqueueOk(glambdar, "defaults", "{}");

        Eventually.holds("the first attempt failed", JOB_DONE,
                () -> Jobs.job(glambdar, id).path("error").isObject());
        JsonNode waiting = Jobs.job(glambdar, id);
        assertThat(waiting.path("status").asText()).isEqualTo("queued");
        assertThat(waiting.path("attempts").asInt()).isEqualTo(1);
        Duration delay = Duration.between(instant(waiting, "startedAt"), instant(waiting, "nextAttemptAt"));
        assertThat(delay).as("60 s ± 20 %, counted from the attempt's end, a moment after its start")
                .isBetween(Duration.ofSeconds(48), Duration.ofSeconds(73));
        assertThat(glambdar.delete("/invocations/" + id).status()).isEqualTo(204);
    }

    @Test
    void aJobForAVersionRunsThatVersionAndOneWithoutRunsTheActiveOne() {
        String code = "exports.handler = async () => ({ body: { label: '%s' } });";
        glambdar.deployOk("pinned", function(code.formatted("one"), "{\"reuse\": true}"));
        assertThat(glambdar.update("pinned", function(code.formatted("two"), "{\"reuse\": true}")).status())
                .isEqualTo(201);
        String old = Jobs.enqueueOk(glambdar, "pinned@1", "{}");
        String current = Jobs.enqueueOk(glambdar, "pinned", "{}");
        JsonNode oldDone = Jobs.await(glambdar, old, JOB_DONE, "succeeded");
        JsonNode currentDone = Jobs.await(glambdar, current, JOB_DONE, "succeeded");
        assertThat(oldDone.path("version").asInt()).isEqualTo(1);
        assertThat(json(oldDone.path("result").path("body").asText()).path("label").asText()).isEqualTo("one");
        assertThat(currentDone.path("version").asInt()).isEqualTo(2);
        assertThat(json(currentDone.path("result").path("body").asText()).path("label").asText()).isEqualTo("two");
        assertThat(oldDone.path("function").asText()).isEqualTo("pinned");
        ApiClient.Response missing = Jobs.enqueue(glambdar, "pinned@9", "{}");
        assertThat(missing.status()).as(missing.body()).isEqualTo(404);
        assertThat(Jobs.list(glambdar, "function=pinned")).hasSize(2);
    }

    @Test
    void nothingIsQueuedForAnUnknownFunctionOrAnOversizedBodyAndUnknownIdsAre404() {
        ApiClient.Response unknown = Jobs.enqueue(glambdar, "ghost", "{}");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.json().path("error").asText()).contains("ghost");
        assertThat(Jobs.list(glambdar, "function=ghost")).as("nothing queued for ghost").isEmpty();
        ApiClient.Response badName = Jobs.enqueue(glambdar, "a.b", "{}");
        assertThat(badName.status()).as(badName.body()).isEqualTo(400);
        assertThat(badName.json().path("error").asText()).isNotBlank();

        glambdar.deployOk("sized", function(ECHO, "{\"reuse\": true}"));
        byte[] twoMiB = new byte[2 * 1024 * 1024];
        Arrays.fill(twoMiB, (byte) 'x');
        ApiClient.Response tooLarge = Jobs.enqueue(glambdar, "sized", twoMiB);
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(413);
        assertThat(tooLarge.json().path("error").asText()).isNotBlank();
        ApiClient.Response justOver = Jobs.enqueue(glambdar, "sized", new byte[1024 * 1024 + 1]);
        assertThat(justOver.status()).as("1 MiB + 1 byte: %s", justOver.body()).isEqualTo(413);
        ApiClient.Response chunked = glambdar.send(HttpRequest.newBuilder(glambdar.uri("/async/sized"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(twoMiB))));
        assertThat(chunked.status()).as("2 MiB, chunked (no Content-Length): %s", chunked.body()).isEqualTo(413);
        for (String badUrl : List.of("ftp://example.com/x", "not a url", "http:///nohost", "file:///etc/passwd")) {
            ApiClient.Response badCallback = Jobs.enqueue(glambdar, "sized", "{}", "X-Glambdar-Callback-Url", badUrl);
            assertThat(badCallback.status()).as("callback URL %s: %s", badUrl, badCallback.body()).isEqualTo(400);
            assertThat(badCallback.json().path("error").asText()).contains("X-Glambdar-Callback-Url");
        }
        ApiClient.Response longKey = Jobs.enqueue(glambdar, "sized", "{}", "Idempotency-Key", "k".repeat(300));
        assertThat(longKey.status()).as(longKey.body()).isEqualTo(400);
        assertThat(Jobs.enqueue(glambdar, "ghost", "{}", "Idempotency-Key", "k1").status())
                .as("an idempotency key does not make an unknown function known").isEqualTo(404);
        assertThat(Jobs.list(glambdar, "function=sized")).as("nothing queued for a refused request").isEmpty();
        assertThat(glambdar.get("/invocations?status=bogus").status()).isEqualTo(400);
        assertThat(glambdar.get("/invocations?limit=0").status()).isEqualTo(400);
        assertThat(glambdar.get("/invocations?function=a.b").status()).isEqualTo(400);
        assertThat(glambdar.get("/info/sized").json().path("asyncQueued").asInt()).isZero();

        byte[] oneMiB = new byte[1024 * 1024];
        Arrays.fill(oneMiB, (byte) 'y');
        String id = Jobs.enqueueOk(glambdar, "sized", new String(oneMiB, StandardCharsets.US_ASCII));
        JsonNode done = Jobs.await(glambdar, id, JOB_DONE, "succeeded");
        assertThat(json(done.path("result").path("body").asText()).path("length").asInt())
                .as("the function got the whole 1 MiB body").isEqualTo(1024 * 1024);
        assertThat(Jobs.ids(Jobs.list(glambdar, "function=sized"))).containsExactly(id);

        for (String missing : List.of("no-such-job", "0123456789abcdef0123456789abcdef")) {
            ApiClient.Response get = glambdar.get("/invocations/" + missing);
            assertThat(get.status()).as("GET %s: %s", missing, get.body()).isEqualTo(404);
            assertThat(get.json().path("error").asText()).isNotBlank();
            assertThat(glambdar.delete("/invocations/" + missing).status()).as("DELETE %s", missing).isEqualTo(404);
            assertThat(glambdar.post("/invocations/" + missing + "/retry", "").status()).as("retry %s", missing)
                    .isEqualTo(404);
        }
    }

    @Test
    void aFunctionThatAlwaysThrowsIsTriedRetriesPlusOneTimesThenListedAsDeadAndCanBeRetried() {
        glambdar.deployOk("flaky", function(THROWS,
                "{\"reuse\": true, \"async\": {\"retries\": 2, \"retryDelaySeconds\": 0.5}}"));
        String id = Jobs.enqueueOk(glambdar, "flaky", "{}");

        JsonNode failed = Jobs.await(glambdar, id, JOB_DONE, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        assertThat(failed.path("error").path("code").asText()).isEqualTo("handler_threw");
        assertThat(failed.path("error").path("message").asText()).contains("always fails");
        assertThat(failed.path("result").isNull()).as("no result: %s", failed).isTrue();
        assertThat(failed.path("logs").asText()).as("the last attempt's logs").contains("ran " + id + " attempt 3");
        assertThat(failed.path("outcome").asText()).isEqualTo("error");
        assertThat(failed.path("finishedAt").isTextual()).isTrue();
        assertThat(Jobs.attemptsLogged(glambdar, "flaky", id)).as("three runs, one per attempt")
                .containsExactlyInAnyOrder(1, 2, 3);
        // the delay doubles: 0.5 s then 1 s, each ±20 % (so at least 0.4 s, then at least 0.8 s)
        List<JsonNode> runs = new ArrayList<>();
        glambdar.get("/logs/flaky").json().path("invocations").forEach(runs::add);
        runs.sort(Comparator.comparing(r -> Instant.parse(r.path("startedAt").asText())));
        assertThat(runs).hasSize(3);
        assertThat(idleBetween(runs.get(0), runs.get(1))).as("first retry delay").isGreaterThanOrEqualTo(350);
        assertThat(idleBetween(runs.get(1), runs.get(2))).as("second retry delay, doubled")
                .isGreaterThanOrEqualTo(750);
        // and it stays at three: nothing is due any more
        assertThat(failed.path("nextAttemptAt").isMissingNode() || failed.path("nextAttemptAt").isNull()).isTrue();

        assertThat(Jobs.ids(Jobs.list(glambdar, "status=failed"))).as("the dead-letter list").contains(id);
        List<JsonNode> dead = Jobs.list(glambdar, "function=flaky&status=failed");
        assertThat(Jobs.ids(dead)).containsExactly(id);
        assertThat(dead.getFirst().path("status").asText()).isEqualTo("failed");
        assertThat(glambdar.get("/info/flaky").json().path("asyncFailed").asInt()).isEqualTo(1);

        ApiClient.Response retried = glambdar.post("/invocations/" + id + "/retry", "");
        assertThat(retried.status()).as(retried.body()).isEqualTo(202);
        JsonNode again = Jobs.job(glambdar, id);
        assertThat(again.path("status").asText()).as("queued again: %s", again).isIn("queued", "running");
        assertThat(again.path("attempts").asInt()).as("fresh attempts: %s", again).isLessThanOrEqualTo(1);
        assertThat(Jobs.list(glambdar, "function=flaky&status=failed")).as("no longer dead while queued")
                .extracting(j -> j.path("invocationId").asText()).doesNotContain(id).isNotNull();

        JsonNode failedAgain = Jobs.await(glambdar, id, JOB_DONE, "failed");
        assertThat(failedAgain.path("attempts").asInt()).isEqualTo(3);
        assertThat(Instant.parse(failedAgain.path("finishedAt").asText()))
                .isAfter(Instant.parse(failed.path("finishedAt").asText()));
        assertThat(Jobs.attemptsLogged(glambdar, "flaky", id)).as("three more runs, counted from 1 again")
                .containsExactlyInAnyOrder(1, 2, 3, 1, 2, 3);
        assertThat(glambdar.get("/info/flaky").json().path("asyncFailed").asInt()).isEqualTo(1);
    }

    /** Milliseconds from the end of one run (as the invocation logs report it) to the start of the next. */
    private static long idleBetween(JsonNode run, JsonNode next) {
        Instant end = Instant.parse(run.path("startedAt").asText()).plusMillis(run.path("durationMs").asLong());
        return Duration.between(end, Instant.parse(next.path("startedAt").asText())).toMillis();
    }

    @Test
    void aJobWaitingForItsRetrySaysWhenAndCanBeCancelled() {
        glambdar.deployOk("later", function(THROWS,
                "{\"reuse\": true, \"async\": {\"retries\": 2, \"retryDelaySeconds\": 30}}"));
        String id = Jobs.enqueueOk(glambdar, "later", "{}");
        Eventually.holds("the first attempt failed and the retry waits", JOB_DONE, () -> {
            JsonNode job = Jobs.job(glambdar, id);
            return job.path("attempts").asInt() == 1 && job.path("status").asText().equals("queued");
        });
        JsonNode waiting = Jobs.job(glambdar, id);
        assertThat(waiting.path("nextAttemptAt").isTextual()).as("nextAttemptAt in %s", waiting).isTrue();
        Duration wait = Duration.between(Instant.now(), Instant.parse(waiting.path("nextAttemptAt").asText()));
        assertThat(wait).as("30 s ±20 %% after the failure: %s", waiting)
                .isBetween(Duration.ofSeconds(20), Duration.ofSeconds(37));
        assertThat(waiting.path("error").path("code").asText()).as("why it waits: %s", waiting)
                .isEqualTo("handler_threw");
        assertThat(waiting.path("logs").asText()).as("what the last attempt printed: %s", waiting)
                .contains("ran " + id + " attempt 1");
        assertThat(waiting.path("version").asInt()).as("the version its last attempt ran on: %s", waiting)
                .isEqualTo(1);
        assertThat(Jobs.attemptsLogged(glambdar, "later", id)).containsExactly(1);
        assertThat(glambdar.get("/info/later").json().path("asyncQueued").asInt()).isEqualTo(1);

        assertThat(glambdar.delete("/invocations/" + id).status()).as("a job waiting for a retry is queued")
                .isEqualTo(204);
        JsonNode cancelled = Jobs.job(glambdar, id);
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("version").asInt()).as("kept: %s", cancelled).isEqualTo(1);
        assertThat(cancelled.path("nextAttemptAt").isMissingNode() || cancelled.path("nextAttemptAt").isNull())
                .as("nothing is due: %s", cancelled).isTrue();
        assertThat(glambdar.get("/info/later").json().path("asyncQueued").asInt()).isZero();
    }

    /**
     * SPEC: no capacity (429) puts the job back without spending an attempt. The function allows one invocation at
     * once and a synchronous call holds it for 4 s, longer than the 1 s an invocation waits for capacity: the job's
     * attempts meet 429s until then, and with {@code "retries": 0} a single spent attempt would fail it.
     */
    @Test
    void noCapacityPutsTheJobBackWithoutSpendingAnAttempt() throws Exception {
        glambdar.deployOk("narrow", function(ECHO,
                "{\"reuse\": true, \"concurrency\": 1, \"async\": {\"retries\": 0}}"));
        CompletableFuture<ApiClient.Response> holder = CompletableFuture.supplyAsync(
                () -> glambdar.invoke("narrow", "sleep 4000"));
        Eventually.holds("the synchronous call runs", JOB_DONE,
                () -> glambdar.get("/health").json().path("load").path("running").asInt() >= 1);
        long enqueued = System.nanoTime();
        String id = Jobs.enqueueOk(glambdar, "narrow", "quick");
        JsonNode done = Jobs.await(glambdar, id, JOB_DONE, "succeeded");
        assertThat(holder.get().status()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - enqueued)).as("it had to wait for the synchronous call")
                .isGreaterThan(QUEUE_TIMEOUT.multipliedBy(2));
        assertThat(done.path("attempts").asInt()).as("the 429s spent no attempt: %s", done).isEqualTo(1);
        assertThat(json(done.path("result").path("body").asText()).path("attempt").asText()).isEqualTo("1");
        assertThat(Jobs.attemptsLogged(glambdar, "narrow", id)).containsExactly(1);
    }

    /**
     * SPEC: a job is {@code queued} until it runs, counts in {@code asyncQueued}, and can be cancelled then. A job
     * waiting in the engine for its function's {@code concurrency} (held here by a synchronous call for 4 s) is still
     * queued: shown so, counted so, and once cancelled it never runs, even though it was already on its way.
     */
    @Test
    void aJobWaitingForItsFunctionsConcurrencyIsQueuedAndCanBeCancelledBeforeItRuns() throws Exception {
        glambdar.deployOk("one-at-a-time", function(ECHO, "{\"reuse\": true, \"concurrency\": 1}"));
        CompletableFuture<ApiClient.Response> holder = CompletableFuture.supplyAsync(
                () -> glambdar.invoke("one-at-a-time", "sleep 4000"));
        Eventually.holds("the synchronous call runs", JOB_DONE,
                () -> glambdar.get("/health").json().path("load").path("running").asInt() >= 1);
        String id = Jobs.enqueueOk(glambdar, "one-at-a-time", "quick");
        // Claimed, it shows as running until it has waited a moment in the engine, then as queued.
        Eventually.holds("the waiting job shows as queued", JOB_DONE, () -> Jobs.status(glambdar, id).equals("queued")
                && glambdar.get("/info/one-at-a-time").json().path("asyncQueued").asInt() == 1);

        List<String> seen = new ArrayList<>();
        List<Integer> counted = new ArrayList<>();
        long until = System.nanoTime() + QUEUE_TIMEOUT.multipliedBy(2).toNanos(); // an engine wait, a 429, a requeue
        while (System.nanoTime() < until) {
            seen.add(Jobs.status(glambdar, id));
            counted.add(glambdar.get("/info/one-at-a-time").json().path("asyncQueued").asInt());
            Thread.sleep(50);
        }
        // A claim shows the job running for the moment before it is shown waiting (again after each 429 puts it
        // back): queued is what it shows, and how it counts, while it waits.
        assertThat(seen).as("while the function's one slot is taken").isSubsetOf("queued", "running")
                .contains("queued");
        assertThat(seen.stream().filter("queued"::equals).count()).as("%s", seen)
                .isGreaterThanOrEqualTo(seen.size() * 3L / 4);
        assertThat(counted).isSubsetOf(0, 1);
        assertThat(counted.stream().filter(n -> n == 1).count()).as("asyncQueued %s", counted)
                .isGreaterThanOrEqualTo(counted.size() * 3L / 4);
        // Cancelled while it waits (a DELETE that meets the moment of a claim is a 409: it is sent again).
        Eventually.holds("cancelled while it waits", JOB_DONE,
                () -> glambdar.delete("/invocations/" + id).status() == 204);
        assertThat(Jobs.status(glambdar, id)).isEqualTo("cancelled");

        assertThat(holder.get().status()).isEqualTo(201);
        String after = Jobs.enqueueOk(glambdar, "one-at-a-time", "quick");
        Jobs.await(glambdar, after, JOB_DONE, "succeeded");
        JsonNode cancelled = Jobs.job(glambdar, id);
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("attempts").asInt()).isZero();
        assertThat(Jobs.attemptsLogged(glambdar, "one-at-a-time", id)).as("it never ran").isEmpty();
        assertThat(glambdar.get("/info/one-at-a-time").json().path("asyncQueued").asInt()).isZero();
    }

    /**
     * SPEC: an attempt that crashes, times out or returns something that is not a response is retried like one that
     * throws; each job ends failed after {@code retries + 1} attempts with the engine's code for the cause.
     */
    @Test
    void crashesTimeoutsAndBadReturnsAreRetriedLikeThrows() {
        String retryOnce = "\"async\": {\"retries\": 1, \"retryDelaySeconds\": 0.1}";
        glambdar.deployOk("exits", function("""
                exports.handler = async (req) => {
                  console.log(`ran ${req.headers['x-glambdar-invocation-id']} attempt ${req.headers['x-glambdar-attempt']}`);
                  process.exit(3);
                };
                """, "{\"reuse\": true, " + retryOnce + "}"));
        glambdar.deployOk("slowpoke", function("""
                exports.handler = async (req) => {
                  console.log(`ran ${req.headers['x-glambdar-invocation-id']} attempt ${req.headers['x-glambdar-attempt']}`);
                  await new Promise(r => setTimeout(r, 10000));
                  return { body: 'too late' };
                };
                """, "{\"reuse\": true, \"timeout\": 1, " + retryOnce + "}"));
        glambdar.deployOk("oddball", function("""
                exports.handler = async (req) => {
                  console.log(`ran ${req.headers['x-glambdar-invocation-id']} attempt ${req.headers['x-glambdar-attempt']}`);
                  return 'not a response object';
                };
                """, "{\"reuse\": true, " + retryOnce + "}"));
        Map<String, String> jobs = Map.of("exits", Jobs.enqueueOk(glambdar, "exits", "{}"),
                "slowpoke", Jobs.enqueueOk(glambdar, "slowpoke", "{}"),
                "oddball", Jobs.enqueueOk(glambdar, "oddball", "{}"));
        Map<String, String> codes = Map.of("exits", "process_exited", "slowpoke", "timeout", "oddball", "bad_return");
        Map<String, String> outcomes = Map.of("exits", "error", "slowpoke", "timeout", "oddball", "error");
        jobs.forEach((name, id) -> {
            JsonNode failed = Jobs.await(glambdar, id, JOB_DONE, "failed");
            assertThat(failed.path("attempts").asInt()).as("%s: %s", name, failed).isEqualTo(2);
            assertThat(failed.path("error").path("code").asText()).as("%s: %s", name, failed).isEqualTo(codes.get(name));
            assertThat(failed.path("error").path("message").asText()).as(name).isNotBlank();
            assertThat(failed.path("outcome").asText()).as("%s: %s", name, failed).isEqualTo(outcomes.get(name));
            assertThat(failed.path("result").isNull()).as(name).isTrue();
            assertThat(Jobs.attemptsLogged(glambdar, name, id)).as("%s ran twice", name)
                    .containsExactlyInAnyOrder(1, 2);
        });
    }

    @Test
    void aJobThatOutlivesItsMaximumAgeEndsExpired() {
        glambdar.deployOk("stale", function(THROWS,
                "{\"reuse\": true, \"async\": {\"retries\": 5, \"retryDelaySeconds\": 2, \"maxAgeSeconds\": 1.5}}"));
        String id = Jobs.enqueueOk(glambdar, "stale", "{}");

        JsonNode expired = Jobs.await(glambdar, id, Duration.ofSeconds(30), "expired");
        assertThat(expired.path("error").path("code").asText()).isEqualTo("expired");
        assertThat(expired.path("error").path("message").asText()).isNotBlank();
        assertThat(expired.path("attempts").asInt())
                .as("the first attempt ran; the retry (due 1.6–2.4 s later) was past the 1.5 s maximum age")
                .isEqualTo(1);
        assertThat(expired.path("finishedAt").isTextual()).isTrue();
        assertThat(Jobs.attemptsLogged(glambdar, "stale", id)).containsExactly(1);
        assertThat(Jobs.ids(Jobs.list(glambdar, "function=stale&status=expired"))).containsExactly(id);

        // an expired job can be retried, with its age counted from the retry: it runs (and fails, and expires) again
        assertThat(glambdar.post("/invocations/" + id + "/retry", "").status()).isEqualTo(202);
        Jobs.await(glambdar, id, Duration.ofSeconds(30), "expired");
        assertThat(Jobs.attemptsLogged(glambdar, "stale", id)).containsExactly(1, 1);
    }

    @Test
    void deletingOrRetryingAJobAnswersByItsState() {
        glambdar.deployOk("pending", function(ECHO, "{\"reuse\": true}"));
        // hold both async slots, so the jobs after them stay queued
        String first = Jobs.enqueueOk(glambdar, "pending", "sleep 4000");
        String second = Jobs.enqueueOk(glambdar, "pending", "sleep 4000");
        Eventually.holds("both slow jobs run", JOB_DONE, () ->
                Jobs.status(glambdar, first).equals("running") && Jobs.status(glambdar, second).equals("running"));
        String target = Jobs.enqueueOk(glambdar, "pending", "target");
        String later = Jobs.enqueueOk(glambdar, "pending", "later");
        assertThat(Jobs.status(glambdar, target)).isEqualTo("queued");

        ApiClient.Response cancel = glambdar.delete("/invocations/" + target);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(204);
        assertThat(cancel.body()).isEmpty();
        JsonNode cancelled = Jobs.job(glambdar, target);
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("error").path("code").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("attempts").asInt()).isZero();
        assertThat(glambdar.delete("/invocations/" + target).status()).as("a cancelled job").isEqualTo(409);

        assertThat(glambdar.delete("/invocations/" + first).status()).as("DELETE of a running job").isEqualTo(409);
        assertThat(glambdar.post("/invocations/" + first + "/retry", "").status()).as("retry of a running job")
                .isEqualTo(409);
        assertThat(glambdar.post("/invocations/" + later + "/retry", "").status()).as("retry of a queued job")
                .isEqualTo(409);

        // the queue moves on past the cancelled job, which never runs
        Jobs.await(glambdar, later, JOB_DONE, "succeeded");
        Jobs.await(glambdar, first, JOB_DONE, "succeeded");
        Jobs.await(glambdar, second, JOB_DONE, "succeeded");
        assertThat(Jobs.job(glambdar, target).path("status").asText()).isEqualTo("cancelled");
        assertThat(Jobs.job(glambdar, target).path("result").isNull()).isTrue();
        assertThat(Jobs.attemptsLogged(glambdar, "pending", target)).as("the cancelled job never ran").isEmpty();
        assertThat(Jobs.attemptsLogged(glambdar, "pending", later)).containsExactly(1);

        assertThat(glambdar.delete("/invocations/" + first).status()).as("DELETE of a succeeded job").isEqualTo(409);
        assertThat(glambdar.post("/invocations/" + first + "/retry", "").status()).as("retry of a succeeded job")
                .isEqualTo(409);
        assertThat(Jobs.job(glambdar, first).path("status").asText()).isEqualTo("succeeded");

        // a cancelled job can be retried: it runs then, once
        assertThat(glambdar.post("/invocations/" + target + "/retry", "").status()).isEqualTo(202);
        JsonNode ran = Jobs.await(glambdar, target, JOB_DONE, "succeeded");
        assertThat(ran.path("attempts").asInt()).isEqualTo(1);
        assertThat(ran.path("error").isNull()).as("the cancellation is forgotten: %s", ran).isTrue();
        assertThat(Jobs.attemptsLogged(glambdar, "pending", target)).containsExactly(1);
    }

    /**
     * Four callback targets at once (one run of about 35 s rather than four): one that answers 200 (gets the record,
     * for a success, a failure and an expiry), one that answers 500 (exactly four POSTs: the first and three retries), one
     * that never answers (four POSTs, each cut off by the 1 s callback timeout), and a port that refuses connections.
     * None changes the job's own status.
     */
    @Test
    void callbacksAreDeliveredOrRetriedABoundedNumberOfTimesWithoutChangingTheJob() throws IOException {
        glambdar.deployOk("notify", function(ECHO, "{\"reuse\": true}"));
        glambdar.deployOk("notifyfail", function(THROWS, "{\"reuse\": true, \"async\": {\"retries\": 0}}"));
        glambdar.deployOk("notifystale", function(THROWS,
                "{\"reuse\": true, \"async\": {\"retries\": 5, \"retryDelaySeconds\": 2, \"maxAgeSeconds\": 1.5}}"));
        int refusedPort = FreePort.pick();
        String header = "X-Glambdar-Callback-Url";
        try (RecordingServer target = RecordingServer.onLoopback()) {
            String ok = Jobs.enqueueOk(glambdar, "notify", "ok", header, target.url("/ok"));
            String okFailed = Jobs.enqueueOk(glambdar, "notifyfail", "x", header, target.url("/failed-job"));
            String okExpired = Jobs.enqueueOk(glambdar, "notifystale", "x", header, target.url("/expired-job"));
            String error = Jobs.enqueueOk(glambdar, "notify", "500", header, target.url("/status/500"));
            String hangs = Jobs.enqueueOk(glambdar, "notify", "hang", header, target.url("/hang"));
            String stalls = Jobs.enqueueOk(glambdar, "notify", "stall", header, target.url("/stall/500"));
            String refused = Jobs.enqueueOk(glambdar, "notify", "refused", header,
                    "http://127.0.0.1:" + refusedPort + "/refused");

            JsonNode okJob = Jobs.await(glambdar, ok, JOB_DONE, "succeeded");
            RecordingServer.Received delivered = target.await("/ok", 1, Duration.ofSeconds(30)).getFirst();
            assertThat(delivered.method()).isEqualTo("POST");
            assertThat(delivered.contentType()).startsWith("application/json");
            assertThat(json(delivered.body())).as("the callback is GET /invocations/:id's JSON").isEqualTo(okJob);

            JsonNode failedJob = Jobs.await(glambdar, okFailed, JOB_DONE, "failed");
            RecordingServer.Received failedDelivery = target.await("/failed-job", 1, Duration.ofSeconds(30)).getFirst();
            assertThat(json(failedDelivery.body())).isEqualTo(failedJob);
            assertThat(json(failedDelivery.body()).path("status").asText()).isEqualTo("failed");

            JsonNode expiredJob = Jobs.await(glambdar, okExpired, JOB_DONE, "expired");
            RecordingServer.Received expiredDelivery = target.await("/expired-job", 1, Duration.ofSeconds(30))
                    .getFirst();
            assertThat(json(expiredDelivery.body())).isEqualTo(expiredJob);

            Instant refusedFinished = instant(Jobs.await(glambdar, refused, JOB_DONE, "succeeded"), "finishedAt");
            Jobs.await(glambdar, error, JOB_DONE, "succeeded");
            Jobs.await(glambdar, hangs, JOB_DONE, "succeeded");
            Jobs.await(glambdar, stalls, JOB_DONE, "succeeded");

            // The refused port starts listening once the first try (and the 1 s retry) were refused: the later
            // retries then arrive there.
            Instant openAt = refusedFinished.plusMillis(3500);
            while (Instant.now().isBefore(openAt)) {
                Jobs.pause(50);
            }
            try (RecordingServer late = RecordingServer.on(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), refusedPort))) {
                List<RecordingServer.Received> fails = target.await("/status/500", 4, Duration.ofSeconds(60));
                List<RecordingServer.Received> hung = target.await("/hang", 4, Duration.ofSeconds(70));
                List<RecordingServer.Received> stalled = target.await("/stall/500", 4, Duration.ofSeconds(70));
                late.await("/refused", 1, Duration.ofSeconds(60));
                assertThat(seconds(fails.get(1).nanoTime() - fails.get(0).nanoTime()))
                        .as("first retry about 1 s after the first try").isBetween(0.7, 4.0);
                assertThat(seconds(fails.get(2).nanoTime() - fails.get(0).nanoTime()))
                        .as("second retry about 5 s after the first try").isBetween(4.0, 12.0);
                assertThat(seconds(fails.get(3).nanoTime() - fails.get(0).nanoTime()))
                        .as("third retry about 25 s after the first try").isBetween(20.0, 45.0);
                assertThat(seconds(hung.get(3).nanoTime() - hung.get(0).nanoTime())).isBetween(20.0, 50.0);
                assertThat(json(fails.getFirst().body()).path("invocationId").asText()).isEqualTo(error);

                // then nothing more arrives: the retries are bounded
                long quietUntil = Math.max(Math.max(fails.get(3).nanoTime(), hung.get(3).nanoTime()),
                        stalled.get(3).nanoTime()) + Duration.ofSeconds(8).toNanos();
                while (System.nanoTime() < quietUntil) {
                    Jobs.pause(200);
                }
                assertThat(target.on("/status/500")).as("a 500 gets the first try and three retries").hasSize(4);
                assertThat(target.on("/hang")).as("a target that never answers: four tries, each timed out")
                        .hasSize(4);
                assertThat(stalled).as("a 500 whose body never comes: four tries, each timed out").hasSize(4);
                assertThat(target.on("/stall/500")).hasSize(4);
                assertThat(late.on("/refused")).as("the retries left after connections were refused for 3.5 s")
                        .hasSizeBetween(1, 3);
                assertThat(target.on("/ok")).as("a 200 is delivered once").hasSize(1);
                assertThat(target.on("/failed-job")).hasSize(1);
                assertThat(target.on("/expired-job")).hasSize(1);
            }
            for (String id : List.of(ok, error, hangs, stalls, refused)) {
                assertThat(Jobs.job(glambdar, id).path("status").asText()).as("job %s", id).isEqualTo("succeeded");
            }
            assertThat(Jobs.job(glambdar, okFailed).path("status").asText()).isEqualTo("failed");
        }
        assertThat(glambdar.get("/health").status()).isEqualTo(200);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    @Test
    void oneIdempotencyKeySentFiftyTimesAtOnceMakesOneJob() throws Exception {
        glambdar.deployOk("once", function(ECHO, "{\"reuse\": true}"));
        glambdar.deployOk("once2", function(ECHO, "{\"reuse\": true}"));
        int senders = 50;
        ExecutorService threads = Executors.newFixedThreadPool(senders);
        List<ApiClient.Response> answers;
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<ApiClient.Response>> sent = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                String body = "{\"n\":" + i + "}";
                sent.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return Jobs.enqueue(glambdar, "once", body, "Idempotency-Key", "order-42");
                }, threads));
            }
            go.countDown();
            answers = sent.stream().map(CompletableFuture::join).toList();
        } finally {
            threads.shutdownNow();
        }
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(202));
        Set<String> ids = answers.stream().map(a -> a.json().path("invocationId").asText()).collect(Collectors.toSet());
        assertThat(ids).as("one and the same invocation id").hasSize(1);
        String id = ids.iterator().next();
        assertThat(Jobs.ids(Jobs.list(glambdar, "function=once"))).as("one job").containsExactly(id);

        JsonNode done = Jobs.await(glambdar, id, JOB_DONE, "succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(1);
        assertThat(json(done.path("result").path("body").asText()).path("body").asText()).startsWith("{\"n\":");
        assertThat(Jobs.attemptsLogged(glambdar, "once", id)).as("run once").containsExactly(1);

        // later, whatever the body, still that job
        ApiClient.Response again = Jobs.enqueue(glambdar, "once", "other", "Idempotency-Key", "order-42");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().path("invocationId").asText()).isEqualTo(id);
        assertThat(Jobs.list(glambdar, "function=once")).hasSize(1);
        assertThat(Jobs.job(glambdar, id).path("status").asText()).as("not queued again").isEqualTo("succeeded");

        // another key, or the key for another function, is another job
        String other = Jobs.enqueueOk(glambdar, "once", "{}", "Idempotency-Key", "order-43");
        String elsewhere = Jobs.enqueueOk(glambdar, "once2", "{}", "Idempotency-Key", "order-42");
        assertThat(Set.of(id, other, elsewhere)).hasSize(3);
        Jobs.await(glambdar, other, JOB_DONE, "succeeded");
        Jobs.await(glambdar, elsewhere, JOB_DONE, "succeeded");
        assertThat(Jobs.attemptsLogged(glambdar, "once", id)).containsExactly(1);
    }

    @Test
    void deletingAFunctionCancelsItsQueuedJobsAndLetsTheRunningOneFinish() {
        glambdar.deployOk("doomed", function(ECHO, "{\"reuse\": true, \"concurrency\": 1}"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(Jobs.enqueueOk(glambdar, "doomed", "sleep 1000"));
        }
        Eventually.holds("a job of doomed runs in the function (a busy container)", JOB_DONE, () ->
                glambdar.get("/info/doomed").json().path("containers").path("busy").asInt() >= 1);
        ApiClient.Response deleted = glambdar.delete("/del/doomed");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);

        Eventually.holds("every job of doomed has ended", JOB_DONE,
                () -> ids.stream().allMatch(id -> Jobs.FINAL.contains(Jobs.status(glambdar, id))));
        List<JsonNode> jobs = ids.stream().map(id -> Jobs.job(glambdar, id)).toList();
        List<JsonNode> succeeded = jobs.stream().filter(j -> j.path("status").asText().equals("succeeded")).toList();
        List<JsonNode> cancelled = jobs.stream().filter(j -> j.path("status").asText().equals("cancelled")).toList();
        assertThat(succeeded.size() + cancelled.size()).as("each job either ran to the end or was cancelled: %s", jobs)
                .isEqualTo(20);
        assertThat(succeeded).as("the running one finishes").isNotEmpty();
        assertThat(succeeded.size()).as("only jobs already taken when the function was deleted ran")
                .isLessThanOrEqualTo(ASYNC_CONCURRENCY + 1);
        assertThat(succeeded).allSatisfy(j -> {
            assertThat(j.path("attempts").asInt()).isEqualTo(1);
            assertThat(j.path("result").path("statusCode").asInt()).isEqualTo(201);
        });
        assertThat(cancelled).allSatisfy(j -> {
            assertThat(j.path("error").path("code").asText()).as("%s", j).isEqualTo("function_deleted");
            assertThat(j.path("error").path("message").asText()).as("%s", j).contains("deleted");
            assertThat(j.path("result").isNull()).as("%s", j).isTrue();
            assertThat(j.path("logs").asText("")).as("it never ran: %s", j).doesNotContain("ran ");
            assertThat(j.path("finishedAt").isTextual()).as("%s", j).isTrue();
        });
        assertThat(Jobs.list(glambdar, "function=doomed&limit=100")).as("the records stay").hasSize(20);
        assertThat(glambdar.get("/info/doomed").status()).isEqualTo(404);
        assertThat(Jobs.enqueue(glambdar, "doomed", "{}").status()).isEqualTo(404);

        // a cancelled job cannot be retried while its function is gone; once it is deployed again, it runs there
        String revived = cancelled.getFirst().path("invocationId").asText();
        assertThat(glambdar.post("/invocations/" + revived + "/retry", "").status()).as("no function to run it")
                .isEqualTo(409);
        glambdar.deployOk("doomed", function(ECHO, "{\"reuse\": true}"));
        assertThat(glambdar.post("/invocations/" + revived + "/retry", "").status()).isEqualTo(202);
        JsonNode rerun = Jobs.await(glambdar, revived, JOB_DONE, "succeeded");
        assertThat(rerun.path("attempts").asInt()).isEqualTo(1);
        assertThat(Jobs.attemptsLogged(glambdar, "doomed", revived)).containsExactly(1);
        assertThat(Jobs.list(glambdar, "function=doomed&status=cancelled&limit=100"))
                .as("the other cancelled jobs stay cancelled").hasSize(cancelled.size() - 1);
    }
}

package io.glambdar.usecase.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobCallback;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobOutcome;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.usecase.async.AsyncFixtures.deploy;
import static io.glambdar.usecase.async.AsyncFixtures.request;
import static io.glambdar.usecase.async.AsyncFixtures.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callbacks to a real HTTP endpoint in the test. The sender reads the test's clock, so when a retry comes due is the
 * test's choice; only waiting for the POST to arrive is by polling.
 */
class CallbackSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final String OWNER = "local/worker";

    /** A request the endpoint received. */
    private record Received(String path, String method, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    @TempDir
    Path dir;

    private TestStore store;
    private HttpServer endpoint;
    private ExecutorService endpointThreads;
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch hangUntil = new CountDownLatch(1);
    private CallbackSender sender;
    private AcceptInvocation accept;

    @BeforeEach
    void open() throws IOException {
        store = new TestStore(dir);
        deploy(store, "f", null);
        accept = new AcceptInvocation(store.catalog, store.jobs, () -> { }, store.clock);
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpointThreads = Executors.newCachedThreadPool();
        endpoint.setExecutor(endpointThreads);
        endpoint.createContext("/ok", exchange -> answer(exchange, 200));
        endpoint.createContext("/accepted", exchange -> answer(exchange, 202));
        endpoint.createContext("/fails", exchange -> answer(exchange, 500));
        endpoint.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/ok"));
            answer(exchange, 302);
        });
        endpoint.createContext("/hangs", exchange -> {
            record(exchange);
            try {
                hangUntil.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        endpoint.start();
        sender = new CallbackSender(store.jobs, Duration.ofMillis(500), store.clock);
    }

    @AfterEach
    void close() {
        hangUntil.countDown();
        sender.close();
        endpoint.stop(0);
        endpointThreads.shutdownNow();
        store.close();
    }

    private void record(HttpExchange exchange) throws IOException {
        received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestMethod(),
                Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes()));
    }

    private void answer(HttpExchange exchange, int status) throws IOException {
        record(exchange);
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + path;
    }

    /** A job with a callback to {@code url}, ended as {@code status} at the clock's time. */
    private String ended(String url, JobStatus status) {
        String id = accept.accept("f", request("{}"), url, null).job().id();
        assertThat(store.jobs.claim(OWNER, store.clock.instant(), LEASE, 10)).extracting(Job::id).containsExactly(id);
        Instant now = store.clock.instant();
        boolean ended = switch (status) {
            case SUCCEEDED -> store.jobs.complete(id, OWNER, JobOutcome.succeeded(1, new JobResult(200,
                    Map.of("content-type", List.of("text/plain")), "done".getBytes(StandardCharsets.UTF_8)), "log\n",
                    new JobReport(4, 0, false, null, "ok"), now));
            case FAILED -> store.jobs.complete(id, OWNER, JobOutcome.failed(1, new JobError("handler_threw", "boom"),
                    "", new JobReport(4, 0, false, null, "error"), now));
            case EXPIRED -> store.jobs.expire(id, OWNER, now, new JobError("expired", "too old"));
            default -> throw new IllegalArgumentException(status.name());
        };
        assertThat(ended).isTrue();
        return id;
    }

    private Job job(String id) {
        return AsyncFixtures.job(store, id);
    }

    private JobCallback callback(String id) {
        return job(id).callback();
    }

    private List<Received> receivedFor(String id) {
        synchronized (received) {
            return received.stream().filter(r -> id.equals(r.header("X-Glambdar-Invocation-Id"))).toList();
        }
    }

    private void awaitAttempts(String id, int attempts) {
        until("callback attempt " + attempts + " of " + id + " recorded", () -> callback(id).attempts() >= attempts);
        assertThat(callback(id).attempts()).isEqualTo(attempts);
    }

    // ---------------------------------------------------------------- delivered

    @Test
    void aSuccessfulEndpointGetsTheRecordOnceAndTheCallbackIsDone() throws Exception {
        String id = ended(url("/ok"), JobStatus.SUCCEEDED);
        Job atEnd = job(id);
        sender.start();

        until("the callback is done", () -> callback(id).done());

        assertThat(callback(id)).isEqualTo(new JobCallback(url("/ok"), 1, null, true));
        assertThat(received).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/ok");
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("User-Agent")).isEqualTo("glambdar-callback");
            assertThat(request.header("X-Glambdar-Invocation-Id")).isEqualTo(id);
            JsonNode body = JSON.readTree(request.body());
            assertThat(body).isEqualTo(JSON.readTree(JSON.writeValueAsBytes(JobView.of(atEnd))));
            assertThat(body.get("status").asText()).isEqualTo("succeeded");
            assertThat(body.get("result").get("body").asText()).isEqualTo("done");
        });
        assertThat(store.jobs.dueCallbacks(store.clock.instant().plus(Duration.ofDays(1)), 10)).isEmpty();
        assertThat(job(id).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void anyTwoHundredIsASuccess() {
        String id = ended(url("/accepted"), JobStatus.SUCCEEDED);
        sender.start();

        until("the callback is done", () -> callback(id).done());

        assertThat(callback(id).attempts()).isEqualTo(1);
    }

    @Test
    void failedAndExpiredJobsCallBackToo() throws Exception {
        String failed = ended(url("/ok"), JobStatus.FAILED);
        String expired = ended(url("/ok"), JobStatus.EXPIRED);
        sender.start();

        until("both callbacks are done", () -> callback(failed).done() && callback(expired).done());

        assertThat(JSON.readTree(receivedFor(failed).getFirst().body()).get("status").asText()).isEqualTo("failed");
        assertThat(JSON.readTree(receivedFor(failed).getFirst().body()).get("error").get("code").asText())
                .isEqualTo("handler_threw");
        assertThat(JSON.readTree(receivedFor(expired).getFirst().body()).get("status").asText()).isEqualTo("expired");
    }

    @Test
    void aCallbackIsMadeOnlyOnceTheJobHasEnded() {
        String running = accept.accept("f", request("{}"), url("/ok"), null).job().id();
        assertThat(store.jobs.claim(OWNER, T0, LEASE, 10)).extracting(Job::id).containsExactly(running);
        String cancelled = accept.accept("f", request("{}"), url("/ok"), null).job().id();
        new AsyncInvocations(store.catalog, store.jobs, () -> { }, store.clock).cancel(cancelled);
        sender.start();
        String ended = ended(url("/ok"), JobStatus.SUCCEEDED);
        sender.wake();

        until("the ended job's callback is done", () -> callback(ended).done());

        assertThat(receivedFor(running)).isEmpty();
        assertThat(callback(running)).isEqualTo(new JobCallback(url("/ok"), 0, null, false));
        assertThat(receivedFor(cancelled)).as("a cancelled job makes no callback").isEmpty();
        assertThat(callback(cancelled).attempts()).isZero();
    }

    // ---------------------------------------------------------------- retried, then given up

    @Test
    void aFailingEndpointIsTriedAgainOneFiveAndTwentyFiveSecondsAfterTheFirstTryThenGivenUp() {
        String id = ended(url("/fails"), JobStatus.SUCCEEDED);
        Instant finished = job(id).finishedAt();
        sender.start();

        awaitAttempts(id, 1);
        assertThat(callback(id)).isEqualTo(new JobCallback(url("/fails"), 1, finished.plusSeconds(1), false));
        assertThat(store.jobs.dueCallbacks(store.clock.instant(), 10)).as("not due before its time").isEmpty();

        store.clock.set(finished.plusSeconds(1));
        sender.wake();
        awaitAttempts(id, 2);
        assertThat(callback(id)).isEqualTo(new JobCallback(url("/fails"), 2, finished.plusSeconds(5), false));

        store.clock.set(finished.plusSeconds(5));
        sender.wake();
        awaitAttempts(id, 3);
        assertThat(callback(id)).isEqualTo(new JobCallback(url("/fails"), 3, finished.plusSeconds(25), false));

        store.clock.set(finished.plusSeconds(25));
        sender.wake();
        awaitAttempts(id, 4);
        assertThat(callback(id)).as("given up after the third retry")
                .isEqualTo(new JobCallback(url("/fails"), 4, null, true));

        assertThat(receivedFor(id)).hasSize(4);
        assertThat(receivedFor(id)).extracting(r -> new String(r.body(), StandardCharsets.UTF_8)).containsOnly(
                new String(receivedFor(id).getFirst().body(), StandardCharsets.UTF_8));
        assertThat(job(id).status()).as("the job's own status never depends on its callback")
                .isEqualTo(JobStatus.SUCCEEDED);
        assertThat(store.jobs.dueCallbacks(finished.plus(Duration.ofDays(1)), 10)).isEmpty();
    }

    @Test
    void aRetryThatComesLateIsDueFromWhenTheLastTryWasMade() {
        String id = ended(url("/fails"), JobStatus.SUCCEEDED);
        Instant finished = job(id).finishedAt();
        sender.start();
        awaitAttempts(id, 1);

        store.clock.set(finished.plusSeconds(30)); // the server was down: every retry is late
        sender.wake();
        awaitAttempts(id, 2);

        assertThat(callback(id).nextAt()).as("not in the past: now").isEqualTo(finished.plusSeconds(30));
    }

    @Test
    void aRefusedConnectionCountsAsAFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/hook";
        String id = ended(url, JobStatus.SUCCEEDED);
        Instant finished = job(id).finishedAt();
        sender.start();

        awaitAttempts(id, 1);
        assertThat(callback(id)).isEqualTo(new JobCallback(url, 1, finished.plusSeconds(1), false));

        for (int retry : new int[]{1, 5, 25}) {
            store.clock.set(finished.plusSeconds(retry));
            sender.wake();
            awaitAttempts(id, callback(id).attempts() + 1);
        }
        assertThat(callback(id)).isEqualTo(new JobCallback(url, 4, null, true));
        assertThat(job(id).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void anEndpointThatDoesNotAnswerWithinTheTimeoutCountsAsAFailure() {
        String id = ended(url("/hangs"), JobStatus.SUCCEEDED);
        Instant finished = job(id).finishedAt();
        sender.start();

        awaitAttempts(id, 1);

        assertThat(callback(id)).isEqualTo(new JobCallback(url("/hangs"), 1, finished.plusSeconds(1), false));
        assertThat(receivedFor(id)).hasSize(1);
    }

    @Test
    void aRedirectIsNotFollowedAndCountsAsAFailure() {
        String id = ended(url("/moved"), JobStatus.SUCCEEDED);
        Instant finished = job(id).finishedAt();
        sender.start();

        awaitAttempts(id, 1);

        assertThat(callback(id)).isEqualTo(new JobCallback(url("/moved"), 1, finished.plusSeconds(1), false));
        assertThat(received).extracting(Received::path).containsExactly("/moved");
    }
}

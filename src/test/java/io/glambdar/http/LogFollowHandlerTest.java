package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.OutputListener;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.it.ApiClient;
import io.glambdar.usecase.logs.LogHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /logs/:name?follow=true} over real HTTP, with a real log hub and a fake engine that prints. */
class LogFollowHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short, so that the test can watch an ordinary connection be cut while a quiet follower is not. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);
    /** Only a guard against a broken server hanging the build. */
    private static final int GUARD_MILLIS = 30_000;
    /**
     * How long a dropped follower's client stays away before it reads again: longer than a moment, well within the
     * bound the server waits for it.
     */
    private static final Duration CLIENT_AWAY = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private TestApiServer fixture;
    private FakeInvoker invoker;
    private LogHub hub;
    private ApiServer server;
    private ApiClient api;

    @BeforeEach
    void start() {
        fixture = new TestApiServer(dir, AccessMode.open(true), IDLE_TIMEOUT);
        invoker = fixture.invoker;
        hub = fixture.hub;
        server = fixture.server;
        api = fixture.api;
        fixture.store.deploy("f", "exports.handler = async () => ({});");
    }

    @AfterEach
    void stop() {
        http.shutdownNow(); // not close(): it would wait for a stream a failed test left open
        fixture.close(); // its live logs' streams end first, as the server's do
    }

    @Test
    void aFollowerGetsEachLineAndEachReportAsNdjson() throws Exception {
        Follow follow = follow("f");
        invoker.answer((fn, request) -> {
            invoker.print(OutputListener.Stream.STDOUT, "hello");
            invoker.print(OutputListener.Stream.STDERR, "{\"not\": \"parsed\"}");
            return new InvocationResult.Completed(invoker.currentId(), 201, Map.of(), new byte[0], "hello\n", 12,
                    true, 300, 40_000_000L);
        });

        assertThat(api.invoke("f", "{}").status()).isEqualTo(201);
        String id = invoker.invocations.peek().invocationId();

        assertThat(follow.response.headers().firstValue("Content-Type")).contains("application/x-ndjson");
        assertThat(follow.next()).isEqualTo(JSON.readTree("""
                {"type":"log","ts":"2025-04-01T12:00:00.250Z","invocationId":"%s","stream":"stdout","line":"hello"}
                """.formatted(id)));
        assertThat(follow.next()).isEqualTo(JSON.readTree("""
                {"type":"log","ts":"2025-04-01T12:00:00.250Z","invocationId":"%s","stream":"stderr",
                 "line":"{\\"not\\": \\"parsed\\"}"}
                """.formatted(id)));
        assertThat(follow.next()).isEqualTo(JSON.readTree("""
                {"type":"report","invocationId":"%s","outcome":"ok","statusCode":201,"durationMs":12,
                 "initDurationMs":300,"coldStart":true,"maxMemoryBytes":40000000}
                """.formatted(id)));
    }

    @Test
    void aThrottledCallIsReportedAndRecordedWithTheStatusItsCallerGot() throws Exception {
        Follow follow = follow("f");
        invoker.answer((fn, request) -> FakeInvoker.failed("inv-429", InvocationResult.Failure.OVERLOADED,
                "overloaded"));

        assertThat(api.invoke("f", "{}").status()).isEqualTo(429);

        assertThat(follow.next()).isEqualTo(JSON.readTree("""
                {"type":"report","invocationId":"inv-429","outcome":"throttled","statusCode":429,"durationMs":7,
                 "initDurationMs":0,"coldStart":false,"maxMemoryBytes":null}
                """));
        assertThat(api.get("/logs/f/inv-429").json().get("statusCode").asInt()).isEqualTo(429);
    }

    @Test
    void deletingTheFunctionEndsTheStreamWithALineSayingSo() throws Exception {
        Follow follow = follow("f");

        assertThat(api.delete("/del/f").status()).isEqualTo(204);

        assertThat(follow.next()).isEqualTo(JSON.readTree("{\"type\":\"end\",\"reason\":\"deleted\"}"));
        assertThat(follow.lines.hasNext()).as("the stream ended").isFalse();
        assertThat(hub.followers("f")).isZero();
    }

    @Test
    void anUnknownFunctionIs404AndABadFollowIs400BothJsonBeforeAnyStream() throws Exception {
        ApiClient.Response unknown = api.get("/logs/nope?follow=true");
        ApiClient.Response bad = api.get("/logs/f?follow=yes");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("nope");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).isEqualTo("follow must be true or false, got 'yes'");
        assertThat(hub.followers("nope")).isZero();
        assertThat(hub.followers("f")).isZero();
    }

    @Test
    void aHeadOfTheStreamAnswersItsHeadAndEnds() throws Exception {
        HttpResponse<String> head = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/logs/f?follow=true"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .get(GUARD_MILLIS, TimeUnit.MILLISECONDS);
        HttpResponse<String> unknown = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/logs/nope?follow=true"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .get(GUARD_MILLIS, TimeUnit.MILLISECONDS);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Type")).contains("application/x-ndjson");
        assertThat(head.body()).isEmpty();
        assertThat(hub.followers("f")).isZero();
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void withoutFollowOrWithFollowFalseTheAnswerIsTheRecentInvocations() {
        for (String path : List.of("/logs/f", "/logs/f?follow=false")) {
            ApiClient.Response response = api.get(path);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("function").asText()).isEqualTo("f");
            assertThat(response.json().get("invocations").isArray()).isTrue();
        }
    }

    @Test
    void aQuietFollowerOutlivesTheIdleTimeoutThatClosesAnIdleConnection() throws Exception {
        Follow follow = follow("f");
        try (Socket idle = new Socket("127.0.0.1", server.port())) {
            idle.setSoTimeout(GUARD_MILLIS);
            idle.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            // Read the answer, then on until the server closes the idle connection: the idle timeout has passed.
            InputStream in = idle.getInputStream();
            while (in.read() >= 0) {
                // the answer, then nothing until the close
            }
        }
        invoker.answer((fn, request) -> {
            invoker.print(OutputListener.Stream.STDOUT, "still here");
            return FakeInvoker.ok("inv-late", "{}");
        });

        api.invoke("f", "{}");

        assertThat(follow.next().get("line").asText()).isEqualTo("still here");
    }

    @Test
    void aQuietFollowerThatDisconnectsIsFreedAtOnce() throws Exception {
        try (Socket client = new Socket("127.0.0.1", server.port())) {
            client.getOutputStream().write("GET /logs/f?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            client.setSoTimeout(GUARD_MILLIS);
            assertThat(new String(client.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 200");
            assertThat(hub.followers("f")).isEqualTo(1);
        }

        long guard = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GUARD_MILLIS);
        while (hub.followers("f") > 0 && System.nanoTime() < guard) {
            Thread.onSpinWait(); // until the server sees the close: no event is needed to find it
        }
        assertThat(hub.followers("f")).isZero();
    }

    @Test
    void aFollowerThatNeverReadsIsDroppedWhileTheOthersGetEverythingAndInvocationsGoOn() throws Exception {
        Follow reading = follow("f");
        AtomicInteger seen = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (reading.lines.hasNext()) {
                reading.lines.next();
                seen.incrementAndGet();
            }
        });
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            stalled.setSoTimeout(GUARD_MILLIS);
            OutputStream out = stalled.getOutputStream();
            out.write("GET /logs/f?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            while (hub.followers("f") < 2) {
                Thread.onSpinWait(); // until the server has subscribed it (it answers with its head then)
            }
            String kilobyte = "x".repeat(1000);
            int batches = 40;
            int perBatch = 400; // well within the bound per batch, so the reading follower keeps up
            for (int batch = 0; batch < batches; batch++) {
                int round = batch;
                invoker.answer((fn, request) -> {
                    for (int i = 0; i < perBatch; i++) {
                        invoker.print(OutputListener.Stream.STDOUT, kilobyte);
                    }
                    return FakeInvoker.ok("inv-" + round, "{}");
                });
                assertThat(api.invoke("f", "{}").status()).isEqualTo(200);
                int expected = (batch + 1) * (perBatch + 1); // the lines and a report
                while (seen.get() < expected && !reader.isDone()) {
                    Thread.onSpinWait();
                }
            }

            assertThat(seen).hasValue(batches * (perBatch + 1));
            assertThat(hub.followers("f")).as("the stalled one was dropped").isEqualTo(1);
            // Its connection is closed (after its end line, if that could still be written): reading ends.
            byte[] rest = stalled.getInputStream().readAllBytes();
            assertThat(new String(rest, StandardCharsets.UTF_8)).doesNotContain("\"type\":\"report\",\"invocationId\":\"inv-39\"");
        }
    }

    @Test
    void aDroppedFollowerThatReadsAgainGetsEveryLineWholeThenTheEndLine() throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            stalled.setSoTimeout(GUARD_MILLIS);
            stalled.getOutputStream().write("GET /logs/f?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (hub.followers("f") < 1) {
                Thread.onSpinWait(); // until the server has subscribed it
            }
            // Lines of 200 characters, as a chatty function prints them, until the one that does not read is
            // dropped: by then a write of a line is stuck half-way in the full socket buffers.
            String line = "y".repeat(200);
            for (int round = 0; hub.followers("f") > 0 && round < 1000; round++) {
                invoker.answer((fn, request) -> {
                    for (int i = 0; i < 2000; i++) {
                        invoker.print(OutputListener.Stream.STDOUT, line);
                    }
                    return FakeInvoker.ok("inv", "{}");
                });
                assertThat(api.invoke("f", "{}").status()).isEqualTo(200);
            }
            assertThat(hub.followers("f")).as("dropped as too slow").isZero();
            // The client stays away a while (past a moment's grace: a stopped process, a laptop lid), then reads.
            Thread.sleep(CLIENT_AWAY.toMillis());

            List<String> lines = ndjsonBody(stalled.getInputStream());

            assertThat(lines).isNotEmpty();
            for (String each : lines) {
                assertThat(JSON.readTree(each).isObject()).as("a whole JSON line: %s", each).isTrue();
            }
            assertThat(JSON.readTree(lines.getLast()))
                    .isEqualTo(JSON.readTree("{\"type\":\"end\",\"reason\":\"too_slow\"}"));
        }
    }

    /** The body of a streamed response read to its end (chunked or to the close), split into its lines. */
    private static List<String> ndjsonBody(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
        boolean chunked = false;
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            chunked |= header.equalsIgnoreCase("Transfer-Encoding: chunked");
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (int size = Integer.parseInt(readLine(in).split(";")[0].strip(), 16); size > 0;
                 size = Integer.parseInt(readLine(in).split(";")[0].strip(), 16)) {
                byte[] chunk = new byte[size];
                in.readFully(chunk); // an EOFException here: the stream was cut mid-chunk
                body.write(chunk);
                readLine(in);
            }
        } else {
            in.transferTo(body);
        }
        String text = body.toString(StandardCharsets.UTF_8);
        assertThat(text.substring(Math.max(0, text.length() - 300))).as("the body ends with a whole line")
                .endsWith("\n");
        return List.of(text.split("\n"));
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed mid-line: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /** A follower over HTTP: its response has arrived (so it is subscribed), its lines come as they are sent. */
    private record Follow(HttpResponse<Stream<String>> response, Iterator<String> lines) {
        JsonNode next() throws IOException {
            return JSON.readTree(lines.next());
        }
    }

    private Follow follow(String name) throws Exception {
        HttpResponse<Stream<String>> response = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/logs/" + name + "?follow=true")).build(),
                HttpResponse.BodyHandlers.ofLines()).get(GUARD_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        return new Follow(response, response.body().iterator());
    }
}

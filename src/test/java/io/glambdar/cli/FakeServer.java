package io.glambdar.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP server on a free loopback port that answers what a test tells it to, and records every request. A test's
 * {@code @RegisterExtension} field, it stops after each test.
 */
final class FakeServer implements AutoCloseable, AfterEachCallback {

    /** One request as the server saw it; header names lower-case. */
    record Request(String method, String uri, Map<String, List<String>> headers, byte[] body) {

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer; {@code body} written as is. */
    record Answer(int status, Map<String, String> headers, byte[] body) {

        static Answer json(int status, String json) {
            return new Answer(status, Map.of("Content-Type", "application/json"),
                    json.getBytes(StandardCharsets.UTF_8));
        }

        /** No body, e.g. a 204. */
        static Answer empty(int status) {
            return new Answer(status, Map.of(), new byte[0]);
        }
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code args}, then {@code --url} this server. */
    String[] args(String... args) {
        return Cli.withUrl(url(), args);
    }

    /** {@code ./glambdar args} against this server. */
    Cli.Run cli(String... args) {
        return Cli.of(args(args));
    }

    /** Answers {@code method} on {@code uri} (path and query, as sent) with {@code answer}. */
    FakeServer on(String method, String uri, Answer answer) {
        answers.put(method + " " + uri, answer);
        return this;
    }

    FakeServer on(String method, String uri, int status, String json) {
        return on(method, uri, Answer.json(status, json));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests);
        }
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
            String uri = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            requests.add(new Request(exchange.getRequestMethod(), uri, headers,
                    exchange.getRequestBody().readAllBytes()));
            Answer answer = answers.getOrDefault(exchange.getRequestMethod() + " " + uri,
                    Answer.json(404, "{\"error\":\"no fake answer for " + exchange.getRequestMethod() + " " + uri + "\"}"));
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            boolean empty = answer.body().length == 0;
            exchange.sendResponseHeaders(answer.status(), empty ? -1 : answer.body().length);
            if (!empty) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}

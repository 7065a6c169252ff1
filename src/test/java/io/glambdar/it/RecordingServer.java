package io.glambdar.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP server a test runs to receive what Glambdar (or a function) sends it: every request is recorded, then
 * answered with the status its path asks for — {@code /status/500} answers 500, {@code /hang} never answers (until
 * the server is closed), {@code /stall/500} sends the status and headers of a 500 but never its body, anything else
 * 200.
 */
final class RecordingServer implements AutoCloseable {

    /** One request as it arrived. */
    record Received(long nanoTime, String method, String path, String query, String contentType, String body) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private RecordingServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on the loopback address, on a free port. */
    static RecordingServer onLoopback() {
        return on(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    static RecordingServer on(InetSocketAddress address) {
        try {
            RecordingServer recorder = new RecordingServer(HttpServer.create(address, 200));
            recorder.server.createContext("/", recorder::handle);
            recorder.server.setExecutor(recorder.threads);
            recorder.server.start();
            return recorder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port><path>} */
    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            received.add(new Received(System.nanoTime(), exchange.getRequestMethod(), path,
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    body));
            if (path.startsWith("/hang")) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (path.startsWith("/stall/")) { // the status line and headers, then a body that never comes
                exchange.sendResponseHeaders(Integer.parseInt(path.substring("/stall/".length())), 1000);
                exchange.getResponseBody().flush();
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            int status = path.startsWith("/status/") ? Integer.parseInt(path.substring("/status/".length())) : 200;
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    /** The requests received so far on {@code path}, in arrival order. */
    List<Received> on(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    List<Received> all() {
        return List.copyOf(received);
    }

    /** Waits until at least {@code count} requests arrived on {@code path}. */
    List<Received> await(String path, int count, Duration within) {
        Eventually.holds(count + " requests on " + path + " (so far " + on(path).size() + ")", within,
                () -> on(path).size() >= count);
        return on(path);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

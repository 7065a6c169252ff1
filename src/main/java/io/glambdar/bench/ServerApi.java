package io.glambdar.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The server's HTTP API as the bench uses it around the measured calls: deploy, delete, and the load {@code /health}
 * reports, with the waits built on it. The measured calls go through {@link HttpConnection}.
 */
final class ServerApi {

    /** What {@code /health} reports of the load; only what the bench waits on. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Load(int containers, int waiting, int running) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Health(String status, Load load) {
    }

    /** Where the bench's servers listen: loopback only. */
    static final String HOST = "127.0.0.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the load must stay unchanged, with nothing running or waiting, for the server to count as idle. */
    static final Duration QUIET = Duration.ofSeconds(3);
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(60);

    private final int port;
    /** The admin key of a server in keyed mode, sent with every control request; null in open mode. */
    private final String adminKey;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    ServerApi(int port, String adminKey) {
        this.port = port;
        this.adminKey = adminKey;
    }

    /** The server's address, for a client that is not this class: {@code ./glambdar ls --url}. */
    String url() {
        return "http://" + HOST + ":" + port;
    }

    /** A new connection for measured calls (with the admin key in keyed mode). */
    HttpConnection connection() {
        return new HttpConnection(HOST, port, adminKey);
    }

    /** A new connection for measured calls that presents {@code key}. */
    HttpConnection connection(String key) {
        return new HttpConnection(HOST, port, key);
    }

    /** A new invoke key for the function ({@code POST /keys/:name}). */
    String createInvokeKey(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request("/keys/" + name)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("creating a key for " + name + " failed: " + response.body());
        }
        return JSON.readTree(response.body()).get("key").asText();
    }

    Load load() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request("/health").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /health answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readValue(response.body(), Health.class).load();
    }

    /** {@code GET path}, which must answer 200: its JSON. */
    JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** {@code GET path}, which must answer 200: its body as text. */
    String getText(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Deploys {@code code} as index.js, with {@code settings} as glambdar.json unless null. */
    void deploy(String name, String code, String settings) throws IOException, InterruptedException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("index.js"));
            out.write(code.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            if (settings != null) {
                out.putNextEntry(new ZipEntry("glambdar.json"));
                out.write(settings.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        String boundary = "glambdar-bench";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + ".zip\""
                + "\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip.toByteArray());
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(request("/deploy")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("deploying " + name + " failed: " + response.body());
        }
    }

    void delete(String name) throws IOException, InterruptedException {
        http.send(request("/del/" + name).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    /** Each cold start on an idle engine, like the baseline's: waits until no container is left. */
    void awaitNoContainers() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (load().containers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Lets removals from the previous run finish so runs don't pay for each other's churn. */
    void awaitSettled() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        int previous = -1;
        while (System.nanoTime() < deadline) {
            int live = load().containers();
            if (live == previous && live <= 8) {
                return;
            }
            previous = live;
            Thread.sleep(500);
        }
    }

    /**
     * Waits until the server is idle: no invocation running or waiting, and the number of containers unchanged, for
     * {@link #QUIET}. Gives up after a minute (a pool may keep trimming itself), saying so.
     */
    void awaitQuiet() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        Load previous = null;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Load load = load();
            if (previous == null || !load.equals(previous) || load.running() > 0 || load.waiting() > 0) {
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= QUIET.toNanos()) {
                return;
            }
            previous = load;
            Thread.sleep(250);
        }
        BenchCommand.progress("the server was not idle for " + QUIET.toSeconds() + " s within "
                + WAIT_LIMIT.toSeconds() + " s; measuring anyway");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + path))
                .timeout(Duration.ofMinutes(2));
        return adminKey == null ? request : request.header("Authorization", "Bearer " + adminKey);
    }
}

package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import io.glambdar.app.GlambdarServer;
import io.glambdar.app.ServerConfig;
import io.glambdar.sandbox.DockerConnection;
import io.glambdar.sandbox.Sandboxes;
import io.glambdar.util.FileTrees;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** A Glambdar server running in this JVM against the real Docker engine, in its own temporary base directory. */
final class Harness implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final GlambdarServer server;
    final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Harness(Path dir, GlambdarServer server) {
        this.dir = dir;
        this.server = server;
        this.baseUrl = "http://127.0.0.1:" + server.port();
    }

    static Harness start() {
        return start(config -> config);
    }

    /** A fresh base directory (short, under /tmp: socket paths are length-limited). */
    static Harness start(UnaryOperator<ServerConfig> customize) {
        try {
            return startIn(Files.createTempDirectory(Path.of("/tmp"), "glit-"), customize);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Harness startIn(Path dir, UnaryOperator<ServerConfig> customize) {
        ServerConfig config = customize.apply(ServerConfig.defaults(dir).withPort(0));
        return new Harness(dir, GlambdarServer.start(config));
    }

    record Response(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Response deploy(String fileName, byte[] zip) {
        String boundary = "----glambdar" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(uri("/deploy"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /** Deploys and checks it worked. */
    void deployOk(String name, byte[] zip) {
        Response response = deploy(name + ".zip", zip);
        if (response.status() != 201) {
            throw new AssertionError("deploy of " + name + " failed: " + response.status() + " " + response.body());
        }
    }

    Response invoke(String name, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/invoke/" + name))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    /** Containers (any state) that carry this server's owner label. */
    static List<Container> containersOf(Path dir) {
        try (DockerConnection docker = DockerConnection.open()) {
            return docker.client().listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Sandboxes.LABEL_OWNER, dir.toAbsolutePath().normalize().toString()))
                    .exec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Container> containers() {
        return containersOf(dir);
    }

    /** Stops the server, then deletes its base directory. */
    @Override
    public void close() {
        server.close();
        FileTrees.delete(dir);
    }
}

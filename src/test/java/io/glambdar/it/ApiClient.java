package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The Glambdar HTTP API as a test uses it (like curl in the seed's quick start). */
public class ApiClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Headers every request carries unless it sets its own (a key, say). */
    private final Map<String, String> defaultHeaders = new ConcurrentHashMap<>();

    public ApiClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Response(int status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public Response deploy(String fileName, byte[] zip) {
        return send(multipart("file", fileName, zip));
    }

    /** A {@code POST /deploy} whose multipart body has one file part. */
    public HttpRequest.Builder multipart(String field, String fileName, byte[] content) {
        String boundary = "----glambdar" + UUID.randomUUID();
        return HttpRequest.newBuilder(uri("/deploy"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipartBody(boundary, field, fileName, content)));
    }

    public static byte[] multipartBody(String boundary, String field, String fileName, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + fileName + "\"\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    /** Deploys and checks it worked. */
    public void deployOk(String name, byte[] zip) {
        Response response = deploy(name + ".zip", zip);
        if (response.status() != 201) {
            throw new AssertionError("deploy of " + name + " failed: " + response.status() + " " + response.body());
        }
    }

    /** {@code PUT /deploy/:name}: a new version of the function (or version 1 of a new one). */
    public Response update(String name, byte[] zip) {
        String boundary = "----glambdar" + UUID.randomUUID();
        return send(HttpRequest.newBuilder(uri("/deploy/" + name))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(multipartBody(boundary, "file", name + ".zip", zip))));
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response invoke(String name, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/invoke/" + name))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** From now on every request carries this header, unless it sets its own; a null value stops that. */
    public void defaultHeader(String name, String value) {
        if (value == null) {
            defaultHeaders.remove(name);
        } else {
            defaultHeaders.put(name, value);
        }
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
            if (!defaultHeaders.isEmpty()) {
                HttpRequest.Builder withDefaults = HttpRequest.newBuilder(built, (name, value) -> true);
                HttpRequest original = built;
                defaultHeaders.forEach((name, value) -> {
                    if (original.headers().firstValue(name).isEmpty()) {
                        withDefaults.header(name, value);
                    }
                });
                built = withDefaults.build();
            }
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create(baseUrl + path);
    }


    /** Closes the client's connections (a server's graceful stop waits for open ones). */
    @Override
    public void close() {
        http.close();
    }
}

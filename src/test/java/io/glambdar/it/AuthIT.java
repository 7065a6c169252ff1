package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.app.AuthSettings;
import io.glambdar.app.GlambdarServer;
import io.glambdar.app.ServerConfig;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SPEC "Authentication" end to end: a real server, real Docker, keys over the wire. */
@ExtendWith(DockerRequired.class)
class AuthIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_KEY = "it-admin-key-5f0c2a9e7b1d4c38";
    private static final String ADMIN = "Bearer " + ADMIN_KEY;
    private static final String HELLO_BODY = "{\"name\":\"key\"}";
    private static final String HELLO_ANSWER = "{\"message\":\"Hello key!\"}";
    private static final byte[] HELLO_ZIP = Zips.of(Zips.HELLO);
    private static final byte[] PUBLIC_ZIP = Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json",
            "{\"public\": true}"));
    private static final String CHALLENGE = "Bearer realm=\"glambdar\"";

    private static Harness keyed() {
        return Harness.start(config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)));
    }

    @Test
    void theAdminDeploysAndMakesAKeyThatInvokesInEitherHeader() {
        try (Harness glambdar = keyed()) {
            glambdar.defaultHeader("Authorization", ADMIN);
            glambdar.deployOk("hello", HELLO_ZIP);
            JsonNode created = post(glambdar, "/keys/hello");
            assertThat(created.get("function").asText()).isEqualTo("hello");
            assertThat(created.get("createdAt").asText()).isNotBlank();
            String key = created.get("key").asText();
            assertThat(key).startsWith("gk_" + created.get("keyId").asText() + "_");
            glambdar.defaultHeader("Authorization", null);

            ApiClient.Response bearer = glambdar.invoke("hello", HELLO_BODY, "Authorization", "Bearer " + key);
            assertThat(bearer.status()).as(bearer.body()).isEqualTo(200);
            assertThat(bearer.body()).isEqualTo(HELLO_ANSWER);
            ApiClient.Response header = glambdar.invoke("hello", HELLO_BODY, "X-Glambdar-Key", key);
            assertThat(header.status()).as(header.body()).isEqualTo(200);
            assertThat(header.body()).isEqualTo(HELLO_ANSWER);
            assertThat(glambdar.invoke("hello", HELLO_BODY, "Authorization", ADMIN).body()).isEqualTo(HELLO_ANSWER);

            JsonNode listed = glambdar.send(get(glambdar, "/keys/hello").header("Authorization", ADMIN)).json();
            assertThat(listed.get("function").asText()).isEqualTo("hello");
            assertThat(listed.get("keys")).singleElement().satisfies(k -> {
                assertThat(k.get("keyId").asText()).isEqualTo(created.get("keyId").asText());
                assertThat(k.get("lastUsedAt").asText()).isNotBlank();
                assertThat(k.has("key")).isFalse();
            });
        }
    }

    @Test
    void missingMalformedWrongRevokedAndOtherFunctionsKeysAreRefused() {
        try (Harness glambdar = keyed()) {
            glambdar.defaultHeader("Authorization", ADMIN);
            glambdar.deployOk("hello", HELLO_ZIP);
            glambdar.deployOk("other", HELLO_ZIP);
            JsonNode revoked = post(glambdar, "/keys/hello");
            String otherKey = post(glambdar, "/keys/other").get("key").asText();
            String helloKey = post(glambdar, "/keys/hello").get("key").asText();
            assertThat(glambdar.delete("/keys/hello/" + revoked.get("keyId").asText()).status()).isEqualTo(204);
            glambdar.defaultHeader("Authorization", null);

            ApiClient.Response missing = glambdar.invoke("hello", HELLO_BODY);
            assertRefused(missing, 401, "X-Glambdar-Key");
            assertThat(missing.header("WWW-Authenticate")).isEqualTo(CHALLENGE);
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "Authorization", helloKey), 401,
                    "must be 'Bearer <key>'");
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "Authorization", "Bearer nope"), 401, "wrong key");
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "X-Glambdar-Key", revoked.get("key").asText()), 401,
                    "wrong key");
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "X-Glambdar-Key", otherKey), 403, "another function");
            // An invoke key on a control route, in either header.
            assertRefused(glambdar.send(get(glambdar, "/info").header("Authorization", "Bearer " + helloKey)), 403,
                    "needs the admin key");
            assertRefused(glambdar.send(get(glambdar, "/keys/hello").header("X-Glambdar-Key", helloKey)), 403,
                    "needs the admin key");
            // Live logs are a control route too: refused before any stream starts.
            assertRefused(glambdar.send(get(glambdar, "/logs/hello?follow=true")
                    .header("Authorization", "Bearer " + helloKey)), 403, "needs the admin key");
            assertRefused(glambdar.get("/logs/hello?follow=true"), 401, "Authorization: Bearer <admin key>");
            // The admin key in the wrong header, and no key at all, on a control route.
            assertRefused(glambdar.send(get(glambdar, "/info").header("X-Glambdar-Key", ADMIN_KEY)), 401,
                    "Authorization: Bearer");
            ApiClient.Response noKey = glambdar.get("/info");
            assertRefused(noKey, 401, "Authorization: Bearer <admin key>");
            assertThat(noKey.header("WWW-Authenticate")).isEqualTo(CHALLENGE);

            // Two keys in one request: refused whichever comes first (a proxy in front may have checked the other).
            for (List<String> keys : List.of(List.of("Bearer " + helloKey, ADMIN),
                    List.of(ADMIN, "Bearer " + helloKey))) {
                assertRefused(glambdar.send(HttpRequest.newBuilder(glambdar.uri("/invoke/hello"))
                        .POST(HttpRequest.BodyPublishers.ofString(HELLO_BODY))
                        .header("Authorization", keys.get(0)).header("Authorization", keys.get(1))), 400,
                        "more than one Authorization header");
            }
            assertRefused(glambdar.send(HttpRequest.newBuilder(glambdar.uri("/invoke/hello"))
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO_BODY))
                    .header("X-Glambdar-Key", helloKey).header("X-Glambdar-Key", otherKey)), 400,
                    "more than one X-Glambdar-Key header");
            assertRefused(glambdar.send(get(glambdar, "/info").header("Authorization", ADMIN)
                    .header("Authorization", "Bearer nope")), 400, "send the key once");

            glambdar.defaultHeader("Authorization", ADMIN);
            assertThat(glambdar.get("/info/hello").json().get("invokeCount").asLong())
                    .as("no refused invocation ran").isZero();
        }
    }

    @Test
    void aPublicFunctionIsInvokedWithoutAKeyAndHealthNeedsNoneEither() {
        try (Harness glambdar = keyed()) {
            glambdar.defaultHeader("Authorization", ADMIN);
            glambdar.deployOk("open", PUBLIC_ZIP);
            glambdar.deployOk("private-fn", HELLO_ZIP);
            glambdar.defaultHeader("Authorization", null);

            ApiClient.Response open = glambdar.invoke("open", HELLO_BODY);
            assertThat(open.status()).as(open.body()).isEqualTo(200);
            assertThat(open.body()).isEqualTo(HELLO_ANSWER);
            assertThat(glambdar.invoke("open", HELLO_BODY, "Origin", "https://elsewhere.example").status())
                    .isEqualTo(200);
            assertRefused(glambdar.invoke("private-fn", HELLO_BODY), 401, "needs a key");

            // A version without "public": true closes the function, its public version 1 included.
            glambdar.defaultHeader("Authorization", ADMIN);
            assertThat(glambdar.update("open", HELLO_ZIP).status()).isEqualTo(201);
            glambdar.defaultHeader("Authorization", null);
            assertRefused(glambdar.invoke("open", HELLO_BODY), 401, "needs a key");
            assertRefused(glambdar.invoke("open@1", HELLO_BODY), 401, "needs a key");

            ApiClient.Response health = glambdar.get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("ok");
            assertThat(health.body()).doesNotContain("open").doesNotContain("private-fn");
        }
    }

    @Test
    void aTenMegabyteAuthorizationHeaderGetsAJsonErrorAndTheServerCarriesOn() throws Exception {
        try (Harness glambdar = keyed()) {
            int port = glambdar.server.port();

            String answer = hugeHeader(port, 10 * 1024 * 1024);

            // The server answers once it has read its limit; the connection may be reset before we read that.
            if (answer != null) {
                assertThat(answer).startsWith("HTTP/1.1 431 ");
                assertThat(answer).containsIgnoringCase("Content-Type: application/json");
                JsonNode error = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertThat(error.get("error").asText()).contains("headers too large");
            }
            // Just over the limit, the answer always arrives.
            String over = hugeHeader(port, 20_000);
            assertThat(over).startsWith("HTTP/1.1 431 ");
            assertThat(JSON.readTree(over.substring(over.indexOf("\r\n\r\n") + 4)).get("error").asText())
                    .contains("headers too large");
            assertThat(glambdar.get("/health").status()).isEqualTo(200);
            assertThat(glambdar.send(get(glambdar, "/info").header("Authorization", ADMIN)).status()).isEqualTo(200);
        }
    }

    @Test
    void keysSurviveARestartAndTheRevokedStayRevoked() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            String kept;
            String revoked;
            String keptId;
            String lastUsedAt;
            try (Harness first = Harness.startIn(dir, config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
                first.defaultHeader("Authorization", ADMIN);
                first.deployOk("hello", HELLO_ZIP);
                JsonNode keptKey = post(first, "/keys/hello");
                JsonNode revokedKey = post(first, "/keys/hello");
                kept = keptKey.get("key").asText();
                keptId = keptKey.get("keyId").asText();
                revoked = revokedKey.get("key").asText();
                assertThat(first.delete("/keys/hello/" + revokedKey.get("keyId").asText()).status()).isEqualTo(204);
                first.defaultHeader("Authorization", null);
                assertThat(first.invoke("hello", HELLO_BODY, "X-Glambdar-Key", kept).status()).isEqualTo(200);
                first.defaultHeader("Authorization", ADMIN);
                lastUsedAt = first.get("/keys/hello").json().get("keys").get(0).get("lastUsedAt").asText();
                first.server.close();
            }
            try (Harness second = Harness.startIn(dir, config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
                ApiClient.Response again = second.invoke("hello", HELLO_BODY, "X-Glambdar-Key", kept);
                assertThat(again.status()).as(again.body()).isEqualTo(200);
                assertRefused(second.invoke("hello", HELLO_BODY, "X-Glambdar-Key", revoked), 401, "wrong key");
                JsonNode keys = second.send(get(second, "/keys/hello").header("Authorization", ADMIN)).json()
                        .get("keys");
                assertThat(keys).singleElement().satisfies(k -> {
                    assertThat(k.get("keyId").asText()).isEqualTo(keptId);
                    assertThat(k.get("lastUsedAt").asText()).as("written at shutdown, or after")
                            .isGreaterThanOrEqualTo(lastUsedAt);
                });
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    @Test
    void deletingAndDeployingAgainLeavesNoKeyAndNoOldKeyWorks() {
        try (Harness glambdar = keyed()) {
            glambdar.defaultHeader("Authorization", ADMIN);
            glambdar.deployOk("hello", HELLO_ZIP);
            String old = post(glambdar, "/keys/hello").get("key").asText();
            assertThat(glambdar.delete("/del/hello").status()).isEqualTo(204);
            glambdar.deployOk("hello", HELLO_ZIP);

            assertThat(glambdar.get("/keys/hello").json().get("keys")).isEmpty();
            glambdar.defaultHeader("Authorization", null);
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "X-Glambdar-Key", old), 401, "wrong key");
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "Authorization", "Bearer " + old), 401, "wrong key");
        }
    }

    @Test
    void inOpenModePagesOfOtherSitesAreRefusedOnEveryControlRoute() {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("hello", HELLO_ZIP);
            glambdar.deployOk("open", PUBLIC_ZIP);
            List<String[]> routes = List.of(new String[]{"POST", "/deploy"}, new String[]{"GET", "/info"},
                    new String[]{"GET", "/info/hello"}, new String[]{"DELETE", "/del/hello"},
                    new String[]{"GET", "/logs/hello"}, new String[]{"GET", "/logs/hello/x"},
                    new String[]{"POST", "/keys/hello"}, new String[]{"GET", "/keys/hello"},
                    new String[]{"DELETE", "/keys/hello/0011223344556677"}, new String[]{"POST", "/invoke/hello"},
                    new String[]{"PROPFIND", "/invoke/hello/x"}, new String[]{"POST", "/async/hello"},
                    new String[]{"PUT", "/deploy/hello"}, new String[]{"GET", "/versions/hello"},
                    new String[]{"POST", "/rollback/hello"}, new String[]{"GET", "/invocations"},
                    new String[]{"GET", "/schedules"}, new String[]{"GET", "/metrics"},
                    // They need no key, but are no more open to other sites than any route (SPEC "Authentication").
                    new String[]{"GET", "/"}, new String[]{"GET", "/assets/app.js"},
                    new String[]{"GET", "/openapi.json"},
                    new String[]{"GET", "/nowhere"});
            List<String[]> crossSite = List.of(new String[]{"Origin", "https://evil.example"},
                    new String[]{"Origin", "null"}, new String[]{"Sec-Fetch-Site", "cross-site"});

            for (String[] route : routes) {
                for (String[] header : crossSite) {
                    ApiClient.Response response = glambdar.send(HttpRequest.newBuilder(glambdar.uri(route[1]))
                            .method(route[0], HttpRequest.BodyPublishers.noBody()).header(header[0], header[1]));
                    assertRefused(response, 403, "cross-site request refused");
                }
            }
            assertThat(glambdar.get("/info/hello").json().get("invokeCount").asLong()).isZero();
            assertThat(glambdar.get("/keys/hello").json().get("keys")).isEmpty();

            // Without a browser's headers, open mode needs no key; health and public functions take any origin.
            assertThat(glambdar.invoke("hello", HELLO_BODY).body()).isEqualTo(HELLO_ANSWER);
            assertThat(glambdar.send(get(glambdar, "/health").header("Origin", "https://evil.example")).status())
                    .isEqualTo(200);
            assertThat(glambdar.invoke("open", HELLO_BODY, "Origin", "null").body()).isEqualTo(HELLO_ANSWER);
            // The dashboard opened by its address or a bookmark, and its own same-origin requests.
            assertThat(glambdar.send(get(glambdar, "/").header("Sec-Fetch-Site", "none")).status()).isEqualTo(200);
            assertThat(glambdar.send(get(glambdar, "/assets/app.js").header("Sec-Fetch-Site", "same-origin"))
                    .status()).isEqualTo(200);
        }
    }

    /** SPEC: the keys routes work in both modes; invoke keys are checked only in keyed mode. */
    @Test
    void inOpenModeTheKeysRoutesWorkAndNoKeyIsChecked() {
        try (Harness glambdar = Harness.start()) {
            glambdar.deployOk("hello", HELLO_ZIP);
            JsonNode made = post(glambdar, "/keys/hello");
            assertThat(made.get("function").asText()).isEqualTo("hello");
            assertThat(made.get("key").asText()).startsWith("gk_");
            assertThat(glambdar.get("/keys/hello").json().get("keys")).singleElement()
                    .satisfies(k -> assertThat(k.get("keyId").asText()).isEqualTo(made.get("keyId").asText()));

            assertThat(glambdar.invoke("hello", HELLO_BODY, "X-Glambdar-Key", "gk_not_a_real_key").body())
                    .isEqualTo(HELLO_ANSWER);
            assertThat(glambdar.invoke("hello", HELLO_BODY, "Authorization", "Bearer wrong").body())
                    .isEqualTo(HELLO_ANSWER);
            assertThat(glambdar.delete("/keys/hello/" + made.get("keyId").asText()).status()).isEqualTo(204);
            assertThat(glambdar.get("/keys/hello").json().get("keys")).isEmpty();
        }
    }

    /** SPEC: the cross-site refusal applies in keyed mode too, even to a request carrying the admin key. */
    @Test
    void inKeyedModePagesOfOtherSitesAreRefusedEvenWithTheAdminKey() {
        try (Harness glambdar = keyed()) {
            glambdar.defaultHeader("Authorization", ADMIN);
            glambdar.deployOk("hello", HELLO_ZIP);
            assertRefused(glambdar.send(get(glambdar, "/info").header("Origin", "https://evil.example")), 403,
                    "cross-site request refused");
            assertRefused(glambdar.invoke("hello", HELLO_BODY, "Sec-Fetch-Site", "cross-site"), 403,
                    "cross-site request refused");
            assertThat(glambdar.invoke("hello", HELLO_BODY).body()).isEqualTo(HELLO_ANSWER);
        }
    }

    /** SPEC: keys are stored only as hashes; nothing on disk holds the key itself. */
    @Test
    void onDiskAKeyIsOnlyItsHash() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            String key;
            try (Harness glambdar = Harness.startIn(dir, config -> config.withAuth(AuthSettings.keyed(ADMIN_KEY)))) {
                glambdar.defaultHeader("Authorization", ADMIN);
                glambdar.deployOk("hello", HELLO_ZIP);
                key = post(glambdar, "/keys/hello").get("key").asText();
                glambdar.server.close();
            }
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
            String secret = key.substring("gk_".length() + 16 + 1); // after the prefix and the key id
            StringBuilder stored = new StringBuilder();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    stored.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(stored.toString()).contains(hash).doesNotContain(secret);
        } finally {
            FileTrees.delete(dir);
        }
    }

    @Test
    void withoutAKeyTheServerRefusesToListenOnEveryInterfaceUnlessAuthIsNone() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            assertThatThrownBy(() -> GlambdarServer.start(ServerConfig.defaults(dir).withPort(0).withHost("0.0.0.0")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without an admin key")
                    .hasMessageContaining("GLAMBDAR_ADMIN_KEY")
                    .hasMessageContaining("GLAMBDAR_AUTH=none");
        } finally {
            FileTrees.delete(dir);
        }

        try (Harness glambdar = Harness.start(config -> config.withHost("0.0.0.0")
                .withAuth(new AuthSettings(null, "none")))) {
            assertThat(glambdar.get("/health").status()).isEqualTo(200);
            glambdar.deployOk("hello", HELLO_ZIP);
            assertThat(glambdar.invoke("hello", HELLO_BODY).body()).isEqualTo(HELLO_ANSWER);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode post(ApiClient api, String path) {
        ApiClient.Response response = api.send(HttpRequest.newBuilder(api.uri(path))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static HttpRequest.Builder get(ApiClient api, String path) {
        return HttpRequest.newBuilder(api.uri(path)).GET();
    }

    private static void assertRefused(ApiClient.Response response, int status, String fragment) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).contains(fragment);
    }

    /**
     * A {@code GET /info} with an {@code Authorization} header of {@code size} bytes, written while the answer is
     * read (the server answers once it has read its limit).
     *
     * @return the whole answer, or null when the server reset the connection before it could be read
     */
    private static String hugeHeader(int port, int size) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                out.write(("GET /info HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer ")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = "k".repeat(Math.min(size, 64 * 1024)).getBytes(StandardCharsets.ISO_8859_1);
                for (int sent = 0; sent < size; sent += chunk.length) {
                    out.write(chunk);
                }
                out.write("\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // the server closed the connection once it had answered
            }
        });
        try {
            return readAnswer(socket.getInputStream());
        } catch (SocketException e) {
            return null;
        } finally {
            socket.close(); // a writer still sending is stopped
            writing.get();
        }
    }

    /** One HTTP response: its head, and as much body as its Content-Length says. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) { // up to the blank line after the head
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the middle of the response head: " + answer);
            }
            answer.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String head = answer.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        answer.write(in.readNBytes(length));
        return answer.toString(StandardCharsets.UTF_8);
    }
}

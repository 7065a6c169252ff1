package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.ipc.ReplyLimits;
import io.glambdar.it.ApiClient;
import io.glambdar.it.ApiClient.Response;
import io.glambdar.it.Zips;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.store.settings.SettingsLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static io.glambdar.engine.FakeInvoker.failed;
import static org.assertj.core.api.Assertions.assertThat;

class ApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_UPLOAD = 128 * 1024;
    private static final long MAX_BODY = 16 * 1024;
    private static final byte[] HELLO_ZIP = Zips.of(Zips.HELLO);

    @TempDir
    Path dir;

    private TestApiServer fixture;
    private FakeInvoker invoker;
    private ApiClient api;
    private TestStore store;
    private ApiServer server;

    @BeforeEach
    void start() {
        start(SettingsLimits.defaults());
    }

    private void start(SettingsLimits settingsLimits) {
        start(settingsLimits, MAX_BODY);
    }

    private void start(SettingsLimits settingsLimits, long maxBody) {
        fixture = new TestApiServer(dir, AccessMode.open(true), settingsLimits, MAX_UPLOAD, maxBody);
        invoker = fixture.invoker;
        store = fixture.store;
        server = fixture.server;
        api = fixture.api;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    // ---------------------------------------------------------------- routes

    @Test
    void deployAnswers201WithTheFunctionNameAndItsVersionOne() {
        Response response = deploy("hello.zip", HELLO_ZIP);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json()).isEqualTo(json(
                "{\"function\": \"hello\", \"status\": \"deployed\", \"version\": 1}"));
        assertThat(dir.resolve("functions/hello/index.js")).hasContent(Zips.HELLO);
        assertThat(Files.isSymbolicLink(dir.resolve("functions/hello"))).isTrue();
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void noSpooledUploadIsLeftOnceTheResponseArrives() {
        for (int i = 0; i < 10; i++) {
            byte[] noise = new byte[20_000 + i * 5_000];
            new Random(i).nextBytes(noise);
            assertThat(deploy("bad" + i + ".zip", Zips.ofBytes(Map.of("main.js", noise))).status()).isEqualTo(400);
            assertThat(dir.resolve("uploads")).as("after refused deploy %d", i).isEmptyDirectory();
            assertThat(deploy("good" + i + ".zip", zipWithRandomFile(noise.length)).status()).isEqualTo(201);
            assertThat(dir.resolve("uploads")).as("after deploy %d", i).isEmptyDirectory();
            assertThat(send(multipart("other", "x.zip", noise)).status()).isEqualTo(400); // no field "file"
            assertThat(dir.resolve("uploads")).as("after upload %d without a file field", i).isEmptyDirectory();
        }
    }

    @Test
    void infoListsEveryFunctionWithTheOriginalsFields() {
        Response empty = get("/info");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).as("the original's field order, in every run").isEqualTo("{\"count\":0,\"functions\":[]}");
        assertThat(get("/health").body()).startsWith("{\"status\":\"ok\",\"load\":{");

        assertThat(deploy("beta.zip", HELLO_ZIP).status()).isEqualTo(201);
        assertThat(deploy("alpha.zip", HELLO_ZIP).status()).isEqualTo(201);

        JsonNode info = get("/info").json();
        assertThat(info.get("count").asInt()).isEqualTo(2);
        assertThat(info.get("functions")).hasSize(2);
        assertThat(info.get("functions").get(0).get("name").asText()).isEqualTo("alpha");
        assertThat(info.get("functions").get(1).get("name").asText()).isEqualTo("beta");
        JsonNode alpha = info.get("functions").get(0);
        assertThat(alpha.get("createdAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertThat(alpha.has("lastInvokedAt")).isTrue();
        assertThat(alpha.get("lastInvokedAt").isNull()).isTrue();
        assertThat(alpha.get("invokeCount").asLong()).isZero();

        Response one = get("/info/alpha");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json()).isEqualTo(alpha);
    }

    @Test
    void infoShowsEverySettingPublicAndTmpIncluded() {
        deploy("plain.zip", HELLO_ZIP);
        deploy("open.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"memory\": 256, \"tmp\": 8, \"public\": true, \"env\": {\"K\": \"secret\"}}")));

        assertThat(get("/info/plain").json().get("settings")).isEqualTo(json("""
                {"timeout": 30.0, "memory": 128, "cpus": 0.5, "env": [], "reuse": null, "concurrency": null,
                 "tmp": 64, "public": false}"""));
        assertThat(get("/info/open").json().get("settings")).isEqualTo(json("""
                {"timeout": 30.0, "memory": 256, "cpus": 0.5, "env": ["K"], "reuse": null, "concurrency": null,
                 "tmp": 8, "public": true}"""));
    }

    @Test
    void deleteAnswers204WithNoBody() {
        deploy("gone.zip", HELLO_ZIP);

        Response deleted = send(HttpRequest.newBuilder(uri("/del/gone")).DELETE());

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(deleted.header("Content-Type")).as("a 204 has no content, so no type").isNull();
        assertError(get("/info/gone"), 404, "'gone' not found");
        assertError(send(HttpRequest.newBuilder(uri("/del/gone")).DELETE()), 404, "'gone' not found");
        assertThat(get("/info").json()).isEqualTo(json("{\"count\": 0, \"functions\": []}"));
        assertThat(dir.resolve("functions/gone")).doesNotExist();
        assertThat(invoker.retired).extracting(fn -> fn.name()).containsExactly("gone");
    }

    @Test
    void aHeadHasTheHeadersOfItsGetAndNoBody() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        for (String path : List.of("/info", "/info/hello", "/versions/hello", "/health", "/openapi.json", "/")) {
            RawHttp.Response get = raw("GET", path, List.of(), new byte[0]);
            RawHttp.Response head = raw("HEAD", path, List.of(), new byte[0]);

            assertThat(head.status()).as(path).isEqualTo(get.status()).isEqualTo(200);
            assertThat(head.values("Content-Type")).as(path).isEqualTo(get.values("Content-Type"));
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(raw("HEAD", "/info", List.of(), new byte[0]).values("Content-Type").getFirst())
                .startsWith("application/json");
    }

    @Test
    void aMethodARouteDoesNotTakeIs405WithAllowNamingTheOnesItDoes() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        Map<String, String> allowed = new LinkedHashMap<>();
        allowed.put("GET /deploy", "POST");
        allowed.put("POST /info", "GET, HEAD");
        allowed.put("POST /metrics", "GET, HEAD");
        allowed.put("GET /async/hello", "POST");
        allowed.put("PUT /invocations/some-id", "GET, DELETE, HEAD");
        allowed.put("POST /schedules", "GET, HEAD");
        allowed.put("DELETE /deploy/hello", "PUT");
        allowed.forEach((request, methods) -> {
            String[] parts = request.split(" ");
            try {
                RawHttp.Response raw = raw(parts[0], parts[1], List.of(), new byte[0]);

                assertThat(raw.status()).as(request).isEqualTo(405);
                assertThat(raw.values("Allow")).as(request).singleElement()
                        .satisfies(allow -> assertThat(allow.split(", ")).containsExactlyInAnyOrder(methods.split(", ")));
                assertThat(raw.json().get("error").asText()).isEqualTo(parts[0] + " is not allowed on " + parts[1]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    // ---------------------------------------------------------------- errors

    @Test
    void deployRefusalsAreJsonErrorsWithTheRightStatus() {
        assertError(send(HttpRequest.newBuilder(uri("/deploy")).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(HELLO_ZIP))), 400, "multipart/form-data");
        assertError(send(multipart("zip", "hello.zip", HELLO_ZIP)), 400, "missing the zip file");
        // How to send it, as the request at hand would: its method, server and path.
        assertError(send(HttpRequest.newBuilder(uri("/deploy/hello")).PUT(HttpRequest.BodyPublishers.noBody())), 400,
                "e.g. curl -X PUT -F \"file=@myfunc.zip\" http://127.0.0.1:" + uri("/").getPort() + "/deploy/hello");
        assertError(send(multipart("zip", "hello.zip", HELLO_ZIP)), 400,
                "e.g. curl -X POST -F \"file=@myfunc.zip\" http://127.0.0.1:" + uri("/").getPort() + "/deploy");
        assertError(send(HttpRequest.newBuilder(uri("/deploy"))
                .header("Content-Type", "multipart/form-data; boundary=nothere")
                .POST(HttpRequest.BodyPublishers.ofString("no parts at all"))), 400, "multipart");
        assertError(deploy("hello.zip", "PK but not really a zip".getBytes(StandardCharsets.UTF_8)), 400,
                "not a valid zip");
        assertError(deploy("a.b.zip", HELLO_ZIP), 400, "invalid function name \"a.b\"");
        assertError(deploy("hello.tar", HELLO_ZIP), 400, "not a .zip file");
        assertError(deploy("noindex.zip", Zips.of(Map.of("main.js", "//"))), 400, "index.js");

        assertThat(deploy("hello.zip", HELLO_ZIP).status()).isEqualTo(201);
        // An existing name stays a 409, as in the original; the message points to PUT for a new version.
        assertError(deploy("hello.zip", HELLO_ZIP), 409, "'hello' already exists");
        assertError(deploy("hello.zip", HELLO_ZIP), 409, "PUT /deploy/hello");
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void anUploadOverTheLimitIs413() throws IOException {
        // Just over the limit: the multipart parser (or the copy) notices while reading.
        assertError(deploy("big.zip", zipWithRandomFile((int) MAX_UPLOAD + 1024)), 413, "limit");
        // Far over: refused from its declared length before it is read. Only the head is sent: the answer comes (and
        // the connection closes) before any body would be read, and a client still writing a body may lose it.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /deploy HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: " + MAX_UPLOAD * 8
                    + "\r\n\r\n--XX\r\n").getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response huge = RawHttp.read(socket.getInputStream(), "POST", false);
            assertThat(huge.status()).isEqualTo(413);
            assertThat(huge.json().get("error").asText()).contains("limit");
        }
        assertThat(get("/info").json().get("count").asInt()).isZero();
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void aRefusedUploadThatWasNotReadToItsEndClosesTheConnectionAndSaysSo() throws IOException {
        byte[] tooLarge = multipartBody("XX", zipWithRandomFile((int) MAX_UPLOAD + 1024));
        byte[] malformed = "no parts at all".getBytes(StandardCharsets.UTF_8);
        for (byte[] body : List.of(tooLarge, malformed)) {
            RawHttp.Response raw = raw("POST", "/deploy", List.of("Content-Type: multipart/form-data; boundary=XX"),
                    body);

            assertThat(raw.status()).isIn(400, 413);
            // Without it, a client sends its next request on a connection the server has dropped.
            assertThat(raw.values("Connection")).containsExactly("close");
        }
        // A zip that was read in full but refused keeps the connection usable.
        RawHttp.Response refused = raw("POST", "/deploy", List.of("Content-Type: multipart/form-data; boundary=XX"),
                multipartBody("XX", "PK but not a zip".getBytes(StandardCharsets.UTF_8)));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.values("Connection")).isEmpty();
    }

    @Test
    void anUploadFileNameWithADirectoryPartIsRefusedNotStripped() {
        for (String fileName : List.of("../../x.zip", "a/b.zip", "..\\x.zip")) {
            assertError(deploy(fileName, HELLO_ZIP), 400, "the uploaded file name "
                    + io.glambdar.store.DeployRejectedException.quote(fileName) + " has a directory part");
        }
        assertThat(get("/info").json().get("count").asInt()).isZero();
        assertThat(dir.resolve("functions/x")).doesNotExist();
        assertThat(dir.resolve("functions/b")).doesNotExist();
    }

    @Test
    void theUploadsFileNameIsReadAsTheClientSentIt() {
        assertThat(DeployHandler.fileNameParameter("form-data; name=\"file\"; filename=\"../../x.zip\""))
                .isEqualTo("../../x.zip");
        assertThat(DeployHandler.fileNameParameter("form-data; name=\"file\"; filename=\"..\\x.zip\""))
                .isEqualTo("..\\x.zip");
        assertThat(DeployHandler.fileNameParameter("form-data; name=\"a;filename=no.zip\"; filename=\"a\\\"b.zip\""))
                .isEqualTo("a\"b.zip");
        assertThat(DeployHandler.fileNameParameter("form-data; name=file; FILENAME = plain.zip ; x=1"))
                .isEqualTo("plain.zip");
        assertThat(DeployHandler.fileNameParameter("form-data; name=\"file\"")).isNull();
        assertThat(DeployHandler.fileNameParameter(null)).isNull();
    }

    @Test
    void anUploadOverTheInvokeBodyLimitButWithinTheUploadLimitDeploys() {
        Response response = deploy("roomy.zip", zipWithRandomFile((int) MAX_BODY * 4));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(get("/info/roomy").status()).isEqualTo(200);
    }

    @Test
    void unknownFunctionsRoutesAndMethodsAreJsonErrors() {
        assertError(invoke("ghost", "{}"), 404, "'ghost' not found");
        assertError(get("/info/ghost"), 404, "'ghost' not found");
        assertError(get("/nowhere"), 404, "/nowhere");
        assertError(get("/info/a.b"), 400, "invalid function name");
        assertError(get("/invoke/ghost"), 404, "'ghost' not found");
        assertError(get("/invoke/ghost/sub/path"), 404, "'ghost' not found");
        assertThat(get("/nowhere").json().get("error").asText()).contains("any method on /invoke/:name[@N][/path]");
        assertThat(invoker.invocations).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"PROPFIND", "REPORT", "MKCOL", "PURGE", "LOCK"})
    void everyOtherMethodTokenReachesTheFunctionToo(String method) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-" + method, 207,
                Map.of("Content-Type", List.of("text/plain")), "multi".getBytes(StandardCharsets.UTF_8), "", 3, false, 0));

        RawHttp.Response plain = raw(method, "/invoke/hello", List.of(), new byte[0]);
        RawHttp.Response withPath = raw(method, "/invoke/hello/x/y?q=1", List.of(),
                "<d/>".getBytes(StandardCharsets.UTF_8));

        for (RawHttp.Response raw : List.of(plain, withPath)) {
            assertThat(raw.status()).as(raw.text()).isEqualTo(207);
            assertThat(raw.text()).isEqualTo("multi");
            assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-" + method);
        }
        assertThat(invoker.invocations).hasSize(2);
        List<InvocationRequest> requests = invoker.invocations.stream().map(FakeInvoker.Call::request).toList();
        InvocationRequest first = requests.get(0);
        InvocationRequest second = requests.get(1);
        assertThat(first.method()).isEqualTo(method);
        assertThat(first.path()).isEqualTo("/");
        assertThat(second.method()).isEqualTo(method);
        assertThat(second.path()).isEqualTo("/x/y");
        assertThat(second.query()).isEqualTo("q=1");
        assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("<d/>");
        // Other routes still refuse a method they do not take.
        assertThat(raw(method, "/info", List.of(), new byte[0]).status()).isEqualTo(405);
    }

    @Test
    void anInvokeBodyOverTheLimitIs413() {
        deploy("hello.zip", HELLO_ZIP);

        assertError(invoke("hello", "x".repeat((int) MAX_BODY + 1)), 413, String.valueOf(MAX_BODY));
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void aChunkedInvokeBodyOverTheLimitIs413Too() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        String response;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // Written beside the reading: the server may answer and close before the last chunk, and a write to a
            // closed connection then fails, which is no failure of the server's.
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    out.write(("POST /invoke/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    byte[] chunk = new byte[8192]; // no Content-Length: the limit must hold while reading
                    for (long sent = 0; sent <= MAX_BODY; sent += chunk.length) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed first
                }
            });
            response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            socket.close(); // a writer still sending stops
            writing.join();
        }

        assertThat(response).startsWith("HTTP/1.1 413 ");
        assertThat(json(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error").asText())
                .contains(String.valueOf(MAX_BODY));
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void aBodyThatIsNotValidChunkedEncodingIs400NeverASuccess() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        for (String path : List.of("/invoke/hello", "/async/hello", "/rollback/hello")) {
            for (String chunks : List.of("zz\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\nzz\r\n")) {
                String response;
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                            + "Connection: close\r\n\r\n" + chunks).getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
                assertThat(response).as("%s with %s", path, chunks.replace("\r\n", "|")).startsWith("HTTP/1.1 400 ");
                assertThat(json(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error").asText())
                        .contains("chunked");
            }
        }
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void aRepeatedOriginOrSecFetchSiteIsJudgedByEveryValue() throws IOException {
        assertThat(raw("GET", "/info", List.of("Origin: http://127.0.0.1"), new byte[0]).status()).isEqualTo(200);
        for (List<String> headers : List.of(List.of("Origin: http://127.0.0.1", "Origin: http://evil.example"),
                List.of("Sec-Fetch-Site: same-origin", "Sec-Fetch-Site: cross-site"))) {
            assertThat(raw("GET", "/info", headers, new byte[0]).status()).as("%s", headers).isEqualTo(403);
        }
    }

    @Test
    void anUnexpectedFailureIs500WithAReferenceAndNoStackTrace() {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> {
            throw new IllegalStateException("secret internals");
        });

        Response response = invoke("hello", "{}");

        assertError(response, 500, "reference");
        assertThat(response.body()).doesNotContain("secret internals", "IllegalStateException", "at io.glambdar");
    }

    // ---------------------------------------------------------------- invoke: the function's response

    @Test
    void aCompletedInvocationIsTheFunctionsResponse() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("content-type", List.of("text/plain; charset=utf-8"));
        headers.put("X-Multi", List.of("one", "two"));
        headers.put("Transfer-Encoding", List.of("chunked"));
        headers.put("connection", List.of("close"));
        headers.put("Content-Length", List.of("999"));
        headers.put("X-Empty-List", List.of());
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-1", 201, headers,
                "hello, world".getBytes(StandardCharsets.UTF_8), "", 3, false, 0));

        RawHttp.Response raw = raw("POST", "/invoke/hello", List.of(), "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(raw.status()).isEqualTo(201);
        // Exactly one: the function's replaces the default (Jetty drops the space before the charset).
        assertThat(raw.values("Content-Type")).singleElement()
                .satisfies(value -> assertThat(value.replace(" ", "")).isEqualTo("text/plain;charset=utf-8"));
        assertThat(raw.values("X-Multi")).containsExactly("one", "two");
        assertThat(raw.values("Content-Length")).containsExactly("12");
        assertThat(raw.values("Transfer-Encoding")).isEmpty();
        assertThat(raw.values("Connection")).isEmpty();
        assertThat(raw.values("X-Empty-List")).isEmpty();
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-1");
        assertThat(raw.values(InvokeHandler.VERSION_HEADER)).containsExactly("1");
        assertThat(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
    }

    @Test
    void aFunctionsLargeHeadersReachTheClientWithTheServersOwn() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        int limit = ReplyLimits.DEFAULTS.maxHeaderBytes(); // what the worker's reply may carry, no more
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < 15; i++) {
            headers.put("X-Big-" + i, List.of(String.valueOf((char) ('a' + i)).repeat(limit / 16)));
        }
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-big", 200, headers,
                "ok".getBytes(StandardCharsets.UTF_8), "", 1, false, 0));

        RawHttp.Response raw = raw("POST", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.values("X-Big-14")).containsExactly("o".repeat(limit / 16));
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-big");
        assertThat(raw.values(InvokeHandler.VERSION_HEADER)).containsExactly("1");
        assertThat(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 205, 304})
    void aNoContentResponseHasNoBody(int status) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-204", status,
                Map.of("Content-Type", List.of("application/json")), "\"ignored\"".getBytes(StandardCharsets.UTF_8),
                "", 1, false, 0));

        RawHttp.Response raw = raw("POST", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(status);
        assertThat(raw.body()).isEmpty();
        assertThat(raw.values("Content-Length")).allMatch("0"::equals);
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-204");
        // The connection is still in step: the next request on another connection works too.
        assertThat(get("/info/hello").status()).isEqualTo(200);
    }

    @Test
    void anEmptyResponseWithoutATypeFromTheFunctionHasNoContentType() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-302", 302,
                Map.of("Location", List.of("/elsewhere")), new byte[0], "", 1, false, 0));

        RawHttp.Response raw = raw("GET", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(302);
        assertThat(raw.values("Location")).containsExactly("/elsewhere");
        assertThat(raw.values("Content-Type")).isEmpty();
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-302");
    }

    @ParameterizedTest
    @CsvSource({"FUNCTION_ERROR, handler_threw, 502", "TIMEOUT, timeout, 504", "OVERLOADED, overloaded, 429",
            "UNAVAILABLE, unavailable, 503"})
    void aFailedInvocationIsAJsonErrorWithItsCodeAndId(Failure failure, String code, int status) {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> failed("inv-" + code, failure, code));

        Response response = invoke("hello", "{}");

        assertThat(response.status()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode body = response.json();
        assertThat(body.get("error").asText()).isEqualTo("it failed: " + code);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("invocationId").asText()).isEqualTo("inv-" + code);
        assertThat(response.header(InvokeHandler.INVOCATION_ID_HEADER)).isEqualTo("inv-" + code);
        assertThat(response.header(InvokeHandler.VERSION_HEADER)).isEqualTo("1");
        assertThat(response.header("Retry-After")).isEqualTo(failure == Failure.OVERLOADED ? "3" : null);
    }

    @Test
    void anInvocationWhoseFunctionWasDeletedWhileItWaitedIs404() {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> failed("inv-gone", Failure.GONE, "gone"));

        Response response = invoke("hello", "{}");

        assertError(response, 404, "function 'hello' was deleted (or replaced by a new deploy) while this invocation"
                + " waited to start");
        assertThat(response.json().get("code").asText()).isEqualTo("gone");
        assertThat(response.json().get("invocationId").asText()).isEqualTo("inv-gone");
        assertThat(response.header(InvokeHandler.INVOCATION_ID_HEADER)).isEqualTo("inv-gone");
        assertThat(response.header("Retry-After")).isNull();
        assertThat(get("/info/hello").json().get("invokeCount").asLong()).isZero();
    }

    @Test
    void aFunctionAskingForMoreMemoryThanTheServerHasIs400() {
        stop();
        start(SettingsLimits.forMemoryBudget(2048));

        Response response = deploy("big.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"memory\": 4096}")));

        assertError(response, 400, "\"memory\"");
        assertThat(response.json().get("error").asText()).contains("2048", "GLAMBDAR_MAX_MEMORY_MB");
        assertThat(get("/info").json().get("count").asInt()).isZero();
        assertThat(invoker.warmed).isEmpty();
    }

    // ---------------------------------------------------------------- invoke: the request the function gets

    @Test
    void theFunctionGetsTheRequestAsSent() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        AtomicReference<InvocationRequest> seen = new AtomicReference<>();
        invoker.answer((fn, request) -> {
            seen.set(request);
            return FakeInvoker.ok("inv-req", "{}");
        });
        byte[] body = {(byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, 'a', (byte) 0xc3};

        RawHttp.Response raw = raw("POST", "/invoke/hello?a=1&b=%20x&a=2",
                List.of("X-Repeat: one", "x-repeat: two", "X-Mixed-Case: Value", "Content-Type: application/x-bin"),
                body);

        assertThat(raw.status()).isEqualTo(200);
        InvocationRequest request = seen.get();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).as("no sub-path").isEqualTo("/");
        assertThat(request.query()).isEqualTo("a=1&b=%20x&a=2");
        assertThat(request.body()).isEqualTo(body);
        assertThat(request.headers().keySet()).allMatch(name -> name.equals(name.toLowerCase(Locale.ROOT)));
        assertThat(request.headers()).containsEntry("x-repeat", List.of("one", "two"))
                .containsEntry("x-mixed-case", List.of("Value"))
                .containsEntry("content-type", List.of("application/x-bin"))
                .containsEntry("content-length", List.of(String.valueOf(body.length)));
    }

    @Test
    void anEmptyQueryIsAnEmptyString() throws IOException {
        deploy("hello.zip", HELLO_ZIP);

        assertThat(raw("POST", "/invoke/hello", List.of(), new byte[0]).status()).isEqualTo(200);

        assertThat(invoker.invocations).singleElement().satisfies(call -> {
            assertThat(call.request().query()).isEmpty();
            assertThat(call.request().body()).isEmpty();
        });
    }

    @ParameterizedTest
    @CsvSource({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "QUERY", "TRACE"})
    void everyMethodReachesTheFunctionWithItsSubPathAndQuery(String method) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-" + method, 200,
                Map.of("X-Seen", List.of(request.method() + " " + request.path() + " " + request.query())),
                "{\"ok\":true}".getBytes(StandardCharsets.UTF_8), "", 1, false, 0));

        RawHttp.Response raw = raw(method, "/invoke/hello/any/sub/path?q=1&t=a&t=b", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.values("X-Seen")).containsExactly(method + " /any/sub/path q=1&t=a&t=b");
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-" + method);
        assertThat(invoker.invocations).singleElement()
                .satisfies(call -> assertThat(call.fn().name()).isEqualTo("hello"));
        if (method.equals("HEAD")) { // the length a GET would have, and no body
            assertThat(raw.values("Content-Length")).containsExactly("11");
            assertThat(raw.body()).isEmpty();
        } else {
            assertThat(new String(raw.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/invoke/hello                        | /                | ''",
            "/invoke/hello/                       | /                | ''",
            "/invoke/hello?a=1                    | /                | a=1",
            "/invoke/hello/?a=1                   | /                | a=1",
            "/invoke/hello/x                      | /x               | ''",
            "/invoke/hello/x/                     | /x/              | ''",
            "/invoke/hello/any/sub/path?q=1&t=a&t=b | /any/sub/path  | q=1&t=a&t=b",
            "/invoke/hello/a%20b/%E2%82%AC/c+d?s=x+y%21&e= | /a%20b/%E2%82%AC/c+d | s=x+y%21&e=",
            "/invoke/hello/invoke/hello/x         | /invoke/hello/x  | ''",
            "/invoke/hello/a@b/:c;d               | /a@b/:c;d        | ''",
            "/invoke/hello/a/../b                 | /a/../b          | ''",
            "/invoke/hello/a%2Fb//c               | /a%2Fb//c        | ''",
            "/invoke/hello?                       | /                | ''"})
    void theSubPathAndQueryReachTheFunctionAsReceived(String target, String path, String query) throws IOException {
        deploy("hello.zip", HELLO_ZIP);

        assertThat(raw("GET", target, List.of(), new byte[0]).status()).isEqualTo(200);

        assertThat(invoker.invocations).singleElement().satisfies(call -> {
            assertThat(call.fn().name()).isEqualTo("hello");
            assertThat(call.request().path()).isEqualTo(path);
            assertThat(call.request().query()).isEqualTo(query);
        });
    }

    @Test
    void theSubPathOfAnUnknownOrInvalidNameIsAnErrorAsForThePlainRoute() throws IOException {
        assertError(get("/invoke/a.b/x"), 400, "invalid function name");
        assertError(send(HttpRequest.newBuilder(uri("/invoke/ghost/x")).PUT(HttpRequest.BodyPublishers.noBody())),
                404, "'ghost' not found");
        assertThat(invoker.invocations).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"text/html; charset=utf-8", "text/html; charset=UTF-8",
            "application/json; charset=utf-8", "text/plain;charset=iso-8859-1", "text/csv; header=present",
            "application/x-custom"})
    void aFunctionsContentTypeIsSentExactlyAsItSetIt(String type) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-type", 200,
                Map.of("content-type", List.of(type)), "<p>hi</p>".getBytes(StandardCharsets.UTF_8), "", 1, false,
                0));

        RawHttp.Response raw = raw("GET", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.values("Content-Type")).containsExactly(type);
        assertThat(raw.text()).isEqualTo("<p>hi</p>");
    }

    @Test
    void aFunctionThatSetsSeveralContentTypesGetsOneSent() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-types", 200,
                Map.of("Content-Type", List.of("text/plain", "text/html")), "x".getBytes(StandardCharsets.UTF_8),
                "", 1, false, 0));

        assertThat(raw("GET", "/invoke/hello", List.of(), new byte[0]).values("Content-Type"))
                .containsExactly("text/plain");
    }

    // ---------------------------------------------------------------- invoke: Content-Security-Policy

    @Test
    void aFunctionsResponseIsSandboxedByDefault() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-page", 200,
                Map.of("Content-Type", List.of("text/html")), "<script>fetch('/info')</script>".getBytes(
                StandardCharsets.UTF_8), "", 1, false, 0));

        for (String method : List.of("GET", "POST", "HEAD")) {
            RawHttp.Response raw = raw(method, "/invoke/hello/page", List.of(), new byte[0]);

            assertThat(raw.status()).isEqualTo(200);
            assertThat(raw.values("Content-Security-Policy")).as(method)
                    .containsExactly("sandbox allow-scripts allow-forms allow-popups allow-downloads");
        }
    }

    @ParameterizedTest
    @CsvSource({"Content-Security-Policy", "content-security-policy", "CONTENT-SECURITY-POLICY"})
    void aFunctionsOwnContentSecurityPolicyIsKept(String name) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-csp", 200,
                Map.of(name, List.of("default-src 'self'")), "{}".getBytes(StandardCharsets.UTF_8), "", 1, false, 0));

        RawHttp.Response raw = raw("GET", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.values("Content-Security-Policy")).containsExactly("default-src 'self'");
    }

    @ParameterizedTest
    @CsvSource({"FUNCTION_ERROR", "TIMEOUT", "OVERLOADED", "UNAVAILABLE", "GONE"})
    void aFailedInvocationIsSandboxedToo(Failure failure) {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> failed("inv-failed", failure, "failed"));

        Response response = invoke("hello", "{}");

        assertThat(response.status()).isGreaterThanOrEqualTo(400);
        assertThat(response.headers().allValues("Content-Security-Policy"))
                .containsExactly(InvokeHandler.DEFAULT_CSP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void anEmptyContentSecurityPolicyIsNoPolicyAndTheSandboxStays(String empty) throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-csp", 200,
                Map.of("content-security-policy", List.of(empty)), "<p>".getBytes(StandardCharsets.UTF_8), "", 1,
                false, 0));

        RawHttp.Response raw = raw("GET", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.values("Content-Security-Policy")).containsExactly(InvokeHandler.DEFAULT_CSP);
    }

    @Test
    void everyOtherAnswerOfTheInvokeRouteIsSandboxedToo() {
        deploy("hello.zip", HELLO_ZIP);

        Response unknown = invoke("ghost", "{}");
        Response tooLarge = invoke("hello", "x".repeat((int) MAX_BODY + 1));

        assertThat(List.of(unknown, tooLarge)).extracting(Response::status).containsExactly(404, 413);
        for (Response response : List.of(unknown, tooLarge)) {
            assertThat(response.headers().allValues("Content-Security-Policy")).as(response.body())
                    .containsExactly(InvokeHandler.DEFAULT_CSP);
        }
        assertThat(get("/info").headers().allValues("Content-Security-Policy")).as("not the API's own routes")
                .isEmpty();
    }

    // ---------------------------------------------------------------- logs

    @Test
    void logsOfRecentInvocationsCanBeReadBack() {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-log", 200, Map.of(), new byte[0],
                "printed\n", 4, true, 3));
        assertThat(invoke("hello", "{}").status()).isEqualTo(200);

        Response list = get("/logs/hello");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("function").asText()).isEqualTo("hello");
        assertThat(list.json().get("invocations")).singleElement()
                .satisfies(entry -> assertThat(entry.get("invocationId").asText()).isEqualTo("inv-log"));

        Response one = get("/logs/hello/inv-log");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("logs").asText()).isEqualTo("printed\n");
        assertThat(one.json().get("status").asText()).isEqualTo("ok");
        assertThat(one.json().get("startedAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertThat(one.json().get("durationMs").asLong()).isEqualTo(4);
        assertThat(one.json().get("coldStart").isBoolean()).isTrue();
        assertThat(one.json().get("coldStart").asBoolean()).isTrue();
        assertThat(one.json().get("initDurationMs").isNumber()).isTrue();
        assertThat(one.json().get("initDurationMs").asLong()).isEqualTo(3);
        assertThat(list.json().get("invocations").get(0)).isEqualTo(one.json());

        JsonNode info = get("/info/hello").json();
        assertThat(info.get("invokeCount").asLong()).isEqualTo(1);
        assertThat(info.get("lastInvokedAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertError(get("/logs/hello/inv-nope"), 404, "inv-nope");
        assertError(get("/logs/ghost"), 404, "'ghost' not found");
    }

    // ---------------------------------------------------------------- versions

    @Test
    void putDeploysANewVersionNamedByThePath() {
        Response first = put("f", "whatever.zip", HELLO_ZIP);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.header("Content-Type")).startsWith("application/json");
        assertThat(first.json()).isEqualTo(json("{\"function\": \"f\", \"status\": \"deployed\", \"version\": 1}"));

        Response second = put("f", "f.zip", Zips.of("// v2"));
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.json()).isEqualTo(json("{\"function\": \"f\", \"status\": \"deployed\", \"version\": 2}"));

        assertThat(get("/info/f").json().get("version").asInt()).isEqualTo(2);
        assertThat(dir.resolve("functions/f/index.js")).hasContent("// v2");
        assertThat(dir.resolve("functions/whatever")).doesNotExist();
        assertThat(invoker.warmed).hasSize(2);
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void putRefusalsAreJsonErrors() {
        assertError(put("a.b", "a.zip", HELLO_ZIP), 400, "invalid function name");
        assertError(put("f", "f.zip", Zips.of(Map.of("main.js", "//"))), 400, "index.js");
        assertError(send(HttpRequest.newBuilder(uri("/deploy/f")).header("Content-Type", "application/zip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(HELLO_ZIP))), 400, "multipart/form-data");
        assertThat(get("/info").json().get("count").asInt()).isZero();
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void versionsListsTheKeptVersionsNewestFirst() throws Exception {
        byte[] v2zip = Zips.of(Map.of("index.js", "// v2", "glambdar.json",
                "{\"memory\": 256, \"env\": {\"TOKEN\": \"secret\"}}"));
        assertThat(deploy("f.zip", HELLO_ZIP).status()).isEqualTo(201);
        store.clock.advance(Duration.ofSeconds(90));
        assertThat(put("f", "f.zip", v2zip).status()).isEqualTo(201);

        Response response = get("/versions/f");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        JsonNode body = response.json();
        assertThat(fieldNames(body)).containsExactly("function", "active", "versions");
        assertThat(body.get("function").asText()).isEqualTo("f");
        assertThat(body.get("active").asInt()).isEqualTo(2);
        assertThat(body.get("versions")).hasSize(2);
        JsonNode newest = body.get("versions").get(0);
        assertThat(fieldNames(newest)).containsExactly("version", "deployedAt", "sha256", "codeSizeBytes",
                "fileCount", "settings");
        assertThat(newest.get("version").asInt()).isEqualTo(2);
        assertThat(newest.get("deployedAt").asText()).isEqualTo("2025-04-01T12:01:30.250Z");
        assertThat(newest.get("sha256").asText()).isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(v2zip)));
        assertThat(newest.get("codeSizeBytes").asLong()).isPositive();
        assertThat(newest.get("fileCount").asInt()).isEqualTo(2);
        assertThat(newest.get("settings").get("memory").asInt()).isEqualTo(256);
        assertThat(newest.get("settings").get("env")).isEqualTo(json("[\"TOKEN\"]")); // names only
        assertThat(response.body()).doesNotContain("secret");
        JsonNode oldest = body.get("versions").get(1);
        assertThat(oldest.get("version").asInt()).isEqualTo(1);
        assertThat(oldest.get("deployedAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertThat(oldest.get("fileCount").asInt()).isEqualTo(1);

        assertError(get("/versions/ghost"), 404, "'ghost' not found");
        assertError(get("/versions/a.b"), 400, "invalid function name");
    }

    @Test
    void rollbackWithoutABodyGoesToTheVersionBefore() {
        deploy("f.zip", Zips.of("// v1"));
        put("f", "f.zip", Zips.of("// v2"));
        put("f", "f.zip", Zips.of("// v3"));

        Response response = rollback("f", null);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json()).isEqualTo(json("{\"function\": \"f\", \"active\": 2}"));
        assertThat(get("/versions/f").json().get("active").asInt()).isEqualTo(2);
        assertThat(get("/info/f").json().get("version").asInt()).isEqualTo(2);
        assertThat(dir.resolve("functions/f/index.js")).hasContent("// v2");
        assertThat(invoker.warmed.getLast().deploymentId())
                .isEqualTo(store.catalog.find("f").version(2).orElseThrow().deploymentId());

        // An empty or blank body, or one without "version", is the same.
        assertThat(rollback("f", "").json().get("active").asInt()).isEqualTo(1);
        assertError(rollback("f", "  "), 404, "no kept version below");
        assertError(rollback("f", "{}"), 404, "no kept version below");
    }

    @Test
    void rollbackToANamedVersion() {
        deploy("f.zip", Zips.of("// v1"));
        put("f", "f.zip", Zips.of("// v2"));

        Response response = rollback("f", "{\"version\": 1}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json()).isEqualTo(json("{\"function\": \"f\", \"active\": 1}"));
        assertThat(dir.resolve("functions/f/index.js")).hasContent("// v1");
        assertThat(rollback("f", "{\"version\": 2}").json().get("active").asInt()).isEqualTo(2);
        assertThat(rollback("f", "{\"version\": null}").json().get("active").asInt()).isEqualTo(1);
    }

    @Test
    void rollbackRefusalsAreJsonErrors() {
        deploy("f.zip", Zips.of("// v1"));
        put("f", "f.zip", Zips.of("// v2"));

        assertError(rollback("f", "{\"version\": 0}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": -1}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": \"x\"}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": \"1\"}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": 1.5}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": 99999999999}"), 400, "\"version\"");
        assertError(rollback("f", "{\"version\": "), 400, "not valid JSON");
        assertError(rollback("f", "[1]"), 400, "JSON object");
        assertError(rollback("f", "{\"version\":2}{\"x\":1}"), 400, "{\"version\": N}");
        assertError(rollback("f", "{\"version\":1} x"), 400, "{\"version\": N}");
        assertError(rollback("f", "{\"version\":1,\"extra\":true}"), 400, "unknown field \"extra\"");
        assertError(rollback("f", "{\"versions\":1}"), 400, "{\"version\": N}");
        assertError(rollback("f", "{\"version\": 3}"), 404, "no version 3");
        assertError(rollback("ghost", null), 404, "'ghost' not found");
        assertError(rollback("ghost", "{\"version\": 1}"), 404, "'ghost' not found");
        assertError(rollback("a.b", null), 400, "invalid function name");
        // nothing changed
        assertThat(get("/versions/f").json().get("active").asInt()).isEqualTo(2);
    }

    @Test
    void invocationsSayWhichVersionRan() {
        deploy("hello.zip", HELLO_ZIP);
        put("hello", "hello.zip", HELLO_ZIP);

        Response active = invoke("hello", "{}");
        assertThat(active.status()).isEqualTo(200);
        assertThat(active.header(InvokeHandler.VERSION_HEADER)).isEqualTo("2");

        Response named = invoke("hello@1", "{}");
        assertThat(named.status()).isEqualTo(200);
        assertThat(named.header(InvokeHandler.VERSION_HEADER)).isEqualTo("1");
        assertThat(invoker.invocations).extracting(call -> call.fn().deploymentId()).containsExactly(
                store.catalog.find("hello").version(2).orElseThrow().deploymentId(),
                store.catalog.find("hello").version(1).orElseThrow().deploymentId());

        invoker.answer((fn, request) -> failed("inv-x", Failure.FUNCTION_ERROR, "handler_threw"));
        Response failedOne = invoke("hello@1", "{}");
        assertThat(failedOne.status()).isEqualTo(502);
        assertThat(failedOne.header(InvokeHandler.VERSION_HEADER)).isEqualTo("1");
        assertThat(failedOne.header(InvokeHandler.INVOCATION_ID_HEADER)).isEqualTo("inv-x");
    }

    @Test
    void theFunctionCannotSetTheServersHeaders() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        invoker.answer((fn, request) -> new InvocationResult.Completed("inv-own", 200,
                Map.of("X-Glambdar-Version", List.of("42"), "X-Glambdar-Invocation-Id", List.of("forged")),
                new byte[0], "", 1, false, 0));

        RawHttp.Response raw = raw("POST", "/invoke/hello", List.of(), new byte[0]);

        assertThat(raw.values(InvokeHandler.VERSION_HEADER)).containsExactly("1");
        assertThat(raw.values(InvokeHandler.INVOCATION_ID_HEADER)).containsExactly("inv-own");
    }

    @Test
    void aBadVersionInTheInvokePathIs400AndAnUnknownOne404() {
        deploy("hello.zip", HELLO_ZIP);

        for (String reference : List.of("hello@abc", "hello@0", "hello@-1", "hello@", "hello@1@2")) {
            assertError(invoke(reference, "{}"), 400, "invalid version");
        }
        assertError(invoke("hello@999", "{}"), 404, "no version 999");
        assertError(invoke("ghost@1", "{}"), 404, "'ghost' not found");
        assertThat(invoker.invocations).isEmpty();
    }

    // ---------------------------------------------------------------- asynchronous invocations

    private static final String SPEC_JOB_FIELDS = "invocationId function version status attempts createdAt startedAt"
            + " finishedAt nextAttemptAt result error logs durationMs initDurationMs coldStart maxMemoryBytes outcome";

    @Test
    void postAsyncAnswers202WithWhereToFindTheQueuedJobAndStoresTheRequest() {
        deploy("hello.zip", HELLO_ZIP);

        Response accepted = async("/async/hello/orders/7?x=1&y=2", "{\"n\": 1}", "Content-Type", "application/json",
                "X-Custom", "kept");

        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.header("Content-Type")).startsWith("application/json");
        assertThat(fieldNames(accepted.json())).containsExactly("invocationId", "status");
        String id = accepted.json().get("invocationId").asText();
        assertThat(accepted.json().get("status").asText()).isEqualTo("queued");
        assertThat(accepted.header("Location")).isEqualTo("/invocations/" + id);
        assertThat(accepted.header("Idempotent-Replayed")).isNull();
        Job job = store.jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.functionName()).isEqualTo("hello");
        assertThat(job.version()).isNull();
        assertThat(job.request().method()).isEqualTo("POST");
        assertThat(job.request().path()).isEqualTo("/orders/7");
        assertThat(job.request().query()).isEqualTo("x=1&y=2");
        assertThat(job.request().body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"n\": 1}");
        assertThat(job.request().headers()).containsEntry("x-custom", List.of("kept"))
                .containsEntry("content-type", List.of("application/json"));
        assertThat(job.callback()).isNull();
        assertThat(invoker.invocations).as("nothing runs it here: no dispatcher").isEmpty();

        Response pinned = async("/async/hello@1", "");
        assertThat(pinned.status()).isEqualTo(202);
        assertThat(store.jobs.find(pinned.json().get("invocationId").asText()).orElseThrow().version()).isEqualTo(1);
        assertThat(get("/info/hello").json().get("asyncQueued").asLong()).isEqualTo(2);
        assertThat(get("/info/hello").json().get("asyncFailed").asLong()).isZero();
    }

    @Test
    void anAsyncCallToAnUnknownFunctionOrVersionIsRefusedAndNothingIsQueued() {
        deploy("hello.zip", HELLO_ZIP);

        assertError(async("/async/ghost", "{}"), 404, "'ghost' not found");
        assertError(async("/async/hello@9", "{}"), 404, "no version 9");
        assertError(async("/async/hello@abc", "{}"), 400, "invalid version");
        assertError(async("/async/a.b", "{}"), 400, "invalid function name");
        assertError(get("/async/hello"), 405, "GET is not allowed");

        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void anAsyncBodyOverOneMiBIs413SayingSoAndNothingIsQueued() {
        deploy("hello.zip", HELLO_ZIP);

        assertError(async("/async/hello", "x".repeat(1024 * 1024 + 1)), 413, "1 MiB");
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void aRefusedBodyIsReadToItsEndSoAClientStillSendingItIsNotReset() throws IOException {
        // A connection closed with bytes still coming is reset, and a reset can overtake the 413 sent before it
        // (the client then sees "connection reset" for an answer). Here the client sends enough for the server to
        // refuse, reads the 413, then sends the rest of its body: every byte is taken, and only then does the server
        // close.
        deploy("hello.zip", HELLO_ZIP);
        int length = 1024 * 1024 + 1;
        int first = (int) MAX_BODY * 4;
        byte[] chunk = new byte[8192];
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /async/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[first]);
            out.flush();
            RawHttp.Response refused = RawHttp.read(socket.getInputStream(), "POST", false);
            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.json().get("error").asText()).contains("1 MiB");
            assertThat(refused.values("Connection")).containsExactly("close");

            for (int sent = first; sent < length; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, length - sent));
            }
            out.flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"/async/hello, 1 MiB", "/invoke/hello, 16384", "/deploy, limit"})
    void aBodyDeclaredTooLargeIsRefusedAtOnceWithoutAskingAClientThatWaitsToSendIt(String path, String fragment)
            throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: multipart/form-data; boundary=XX\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));

            RawHttp.Response refused = RawHttp.read(socket.getInputStream(), "POST", false);

            assertThat(refused.status()).as("no 100 Continue first").isEqualTo(413);
            assertThat(refused.json().get("error").asText()).contains(fragment);
            assertThat(refused.values("Connection")).containsExactly("close");
            // No body was asked for, so none is waited for: the server closes.
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(invoker.invocations).isEmpty();
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void aBodyDeclaredTooLargeIsRefusedBeforeTheClientHasSentItAll() throws IOException {
        stop();
        start(SettingsLimits.defaults(), 8 * 1024 * 1024); // the limit of /invoke would take it: /async does not
        deploy("hello.zip", HELLO_ZIP);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /async/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[2_000_000]); // and then waits for the answer
            out.flush();

            RawHttp.Response refused = RawHttp.read(socket.getInputStream(), "POST", false);

            assertThat(refused.status()).isEqualTo(413);
            assertThat(refused.json().get("error").asText()).contains("1 MiB");
        }
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void aClientThatLeavesMidBodyIsOneQuietLineNotAnError() throws IOException {
        deploy("hello.zip", HELLO_ZIP);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(ApiServer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            for (String path : List.of("/async/hello", "/invoke/hello")) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Length: 10000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().write(new byte[2000]);
                    socket.getOutputStream().flush();
                } // and leaves
            }
            io.glambdar.it.Eventually.holds("both requests were given up", Duration.ofSeconds(30),
                    () -> logged.list.size() >= 2);

            assertThat(logged.list).allSatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
                assertThat(event.getThrowableProxy()).isNull();
                assertThat(event.getFormattedMessage()).contains("closed the connection");
            });
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(invoker.invocations).isEmpty();
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void anAsyncBodyMayBeOneMiBAndNotAByteMoreWhateverTheInvokeLimit() {
        stop();
        start(SettingsLimits.defaults(), 4 * 1024 * 1024);
        deploy("hello.zip", HELLO_ZIP);
        int mib = 1024 * 1024;

        assertThat(async("/async/hello", "x".repeat(mib)).status()).isEqualTo(202);
        assertError(async("/async/hello", "x".repeat(mib + 1)), 413, "1 MiB");
        Response chunked = send(HttpRequest.newBuilder(uri("/async/hello")).POST(HttpRequest.BodyPublishers
                .ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[mib + 1]))));
        assertError(chunked, 413, "1 MiB");

        assertThat(store.jobs.list(null, null, 100)).singleElement()
                .satisfies(job -> assertThat(job.request().body()).hasSize(mib));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "ftp://example.com/hook          | http:// or https://",
            "not-a-url                       | http:// or https://",
            "http://                         | not a valid URL",
            "http:///path                    | no host",
            "https://user:secret@example.com | user name or password",
            "http://exa mple.com/            | not a valid URL"})
    void aCallbackUrlThatCannotBeUsedIs400(String url, String why) {
        deploy("hello.zip", HELLO_ZIP);

        Response refused = async("/async/hello", "{}", "X-Glambdar-Callback-Url", url);

        assertError(refused, 400, "X-Glambdar-Callback-Url");
        assertThat(refused.json().get("error").asText()).contains(why);
        assertThat(store.jobs.list(null, null, 100)).isEmpty();
    }

    @Test
    void aCallbackUrlIsKeptWithTheJob() {
        deploy("hello.zip", HELLO_ZIP);

        Response accepted = async("/async/hello", "{}", "X-Glambdar-Callback-Url", "http://127.0.0.1:9/hook?t=1");

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(store.jobs.find(accepted.json().get("invocationId").asText()).orElseThrow().callback().url())
                .isEqualTo("http://127.0.0.1:9/hook?t=1");
    }

    @Test
    void theSameIdempotencyKeyReturnsTheFirstJobAndSaysItWasReplayed() {
        deploy("hello.zip", HELLO_ZIP);

        Response first = async("/async/hello", "{\"n\": 1}", "Idempotency-Key", "order-7");
        Response again = async("/async/hello", "{\"n\": 2}", "Idempotency-Key", "order-7");
        Response otherKey = async("/async/hello", "{}", "Idempotency-Key", "order-8");

        assertThat(first.status()).isEqualTo(202);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(otherKey.json().get("invocationId")).isNotEqualTo(first.json().get("invocationId"));
        assertThat(store.jobs.list("hello", null, 100)).hasSize(2);
        assertError(async("/async/hello", "{}", "Idempotency-Key", "k".repeat(256)), 400, "Idempotency-Key");

        // Once the first job has ended, a replay still answers as the first request was answered.
        assertThat(send(HttpRequest.newBuilder(uri(first.header("Location"))).DELETE()).status()).isEqualTo(204);
        Response afterEnd = async("/async/hello", "{}", "Idempotency-Key", "order-7");
        assertThat(afterEnd.status()).isEqualTo(202);
        assertThat(afterEnd.json()).isEqualTo(first.json());
        assertThat(afterEnd.header("Idempotent-Replayed")).isEqualTo("true");
    }

    @Test
    void theServersOwnHeadersAndGlambdarKeysAreNotStoredWithTheRequest() {
        deploy("hello.zip", HELLO_ZIP);

        Response accepted = async("/async/hello", "{}", "X-Glambdar-Attempt", "7", "x-glambdar-schedule", "* * * * *",
                "X-Glambdar-Invocation-Id", "forged", "X-Glambdar-Key", "some-key", "X-Other", "kept");

        Map<String, List<String>> headers = store.jobs.find(accepted.json().get("invocationId").asText())
                .orElseThrow().request().headers();
        assertThat(headers).doesNotContainKeys("x-glambdar-attempt", "x-glambdar-schedule",
                "x-glambdar-invocation-id", "x-glambdar-key").containsEntry("x-other", List.of("kept"));
    }

    @Test
    void getInvocationShowsTheRecordAndAnUnknownIdIs404() {
        deploy("hello.zip", HELLO_ZIP);
        String id = async("/async/hello", "{}").json().get("invocationId").asText();

        Response record = get("/invocations/" + id);

        assertThat(record.status()).isEqualTo(200);
        assertThat(fieldNames(record.json())).containsExactly(SPEC_JOB_FIELDS.split(" "));
        assertThat(record.json().get("invocationId").asText()).isEqualTo(id);
        assertThat(record.json().get("function").asText()).isEqualTo("hello");
        assertThat(record.json().get("status").asText()).isEqualTo("queued");
        assertThat(record.json().get("attempts").asInt()).isZero();
        assertThat(record.json().get("createdAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertThat(record.json().get("nextAttemptAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        assertThat(record.json().get("result").isNull()).isTrue();
        assertError(get("/invocations/no-such-id"), 404, "no asynchronous invocation 'no-such-id'");
    }

    @Test
    void aJobYetToRunShowsTheVersionItWillRunOn() {
        deploy("hello.zip", HELLO_ZIP);
        String unpinned = async("/async/hello", "{}").json().get("invocationId").asText();
        String pinned = async("/async/hello@1", "{}").json().get("invocationId").asText();

        assertThat(get("/invocations/" + unpinned).json().get("version").asInt()).isEqualTo(1);
        put("hello", "hello.zip", HELLO_ZIP);
        // Not pinned: it runs on the version active when it runs, which is now 2.
        assertThat(get("/invocations/" + unpinned).json().get("version").asInt()).isEqualTo(2);
        assertThat(get("/invocations?function=hello").json().get("invocations"))
                .extracting(node -> node.get("version").asInt()).containsExactlyInAnyOrder(1, 2);
        assertThat(get("/invocations/" + pinned).json().get("version").asInt()).isEqualTo(1);

        // Cancelled with its function, it never ran on any version.
        assertThat(send(HttpRequest.newBuilder(uri("/del/hello")).DELETE()).status()).isEqualTo(204);
        deploy("hello.zip", HELLO_ZIP);
        assertThat(get("/invocations/" + unpinned).json().get("version").isNull()).isTrue();
    }

    @Test
    void listingIsNewestFirstWithFiltersAndBadFiltersAre400() {
        deploy("hello.zip", HELLO_ZIP);
        deploy("other.zip", HELLO_ZIP);
        String first = async("/async/hello", "{}").json().get("invocationId").asText();
        store.clock.advance(Duration.ofSeconds(1));
        String second = async("/async/other", "{}").json().get("invocationId").asText();

        Response all = get("/invocations");
        assertThat(all.status()).isEqualTo(200);
        assertThat(fieldNames(all.json())).containsExactly("invocations");
        assertThat(all.json().get("invocations")).extracting(node -> node.get("invocationId").asText())
                .containsExactly(second, first);
        assertThat(all.json().get("invocations").get(0)).isEqualTo(get("/invocations/" + second).json());
        assertThat(get("/invocations?function=hello&status=queued&limit=5").json().get("invocations"))
                .extracting(node -> node.get("invocationId").asText()).containsExactly(first);
        assertThat(get("/invocations?limit=1").json().get("invocations")).hasSize(1);
        assertThat(get("/invocations?status=failed").json().get("invocations")).isEmpty();

        assertError(get("/invocations?status=bogus"), 400, "unknown status 'bogus'");
        assertError(get("/invocations?limit=0"), 400, "limit must be a whole number from 1 to 1000");
        assertError(get("/invocations?limit=1001"), 400, "limit");
        assertError(get("/invocations?limit=abc"), 400, "limit");
        assertError(get("/invocations?function=a.b"), 400, "invalid function name");
    }

    @Test
    void deletingAQueuedInvocationCancelsItOnceAndAgainIs409() {
        deploy("hello.zip", HELLO_ZIP);
        String id = async("/async/hello", "{}").json().get("invocationId").asText();

        Response cancelled = send(HttpRequest.newBuilder(uri("/invocations/" + id)).DELETE());

        assertThat(cancelled.status()).isEqualTo(204);
        assertThat(cancelled.body()).isEmpty();
        JsonNode record = get("/invocations/" + id).json();
        assertThat(record.get("status").asText()).isEqualTo("cancelled");
        assertThat(record.get("error").get("code").asText()).isEqualTo("cancelled");
        assertError(send(HttpRequest.newBuilder(uri("/invocations/" + id)).DELETE()), 409, "is cancelled");
        assertError(send(HttpRequest.newBuilder(uri("/invocations/no-such-id")).DELETE()), 404, "no-such-id");
    }

    @Test
    void retryingQueuesAnEndedInvocationAgainAndAQueuedOneIs409() {
        deploy("hello.zip", HELLO_ZIP);
        String id = async("/async/hello", "{}").json().get("invocationId").asText();

        assertError(send(post("/invocations/" + id + "/retry")), 409, "is queued");
        assertThat(send(HttpRequest.newBuilder(uri("/invocations/" + id)).DELETE()).status()).isEqualTo(204);
        Response retried = send(post("/invocations/" + id + "/retry"));

        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.header("Location")).isEqualTo("/invocations/" + id);
        assertThat(retried.json()).isEqualTo(json("{\"invocationId\": \"" + id + "\", \"status\": \"queued\"}"));
        assertThat(get("/invocations/" + id).json().get("status").asText()).isEqualTo("queued");
        assertThat(get("/invocations/" + id).json().get("error").isNull()).isTrue();
        assertError(send(post("/invocations/no-such-id/retry")), 404, "no-such-id");
    }

    @Test
    void deletingAFunctionCancelsItsQueuedInvocationsWithAClearError() {
        deploy("hello.zip", HELLO_ZIP);
        String id = async("/async/hello", "{}").json().get("invocationId").asText();

        assertThat(send(HttpRequest.newBuilder(uri("/del/hello")).DELETE()).status()).isEqualTo(204);

        JsonNode record = get("/invocations/" + id).json();
        assertThat(record.get("status").asText()).isEqualTo("cancelled");
        assertThat(record.get("error").get("code").asText()).isEqualTo("function_deleted");
        assertThat(record.get("error").get("message").asText()).contains("'hello' was deleted");
    }

    private Response async(String target, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(target))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private HttpRequest.Builder post(String path) {
        return HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
    }

    // ---------------------------------------------------------------- helpers

    @Test
    void healthSaysOkWithTheCurrentLoad() {
        Response health = get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
        assertThat(health.json().get("load").get("containers").asInt()).isZero();
    }

    @Test
    void schedulesListsTheSchedulesOfTheActiveVersionsWithTheirState() {
        assertThat(get("/schedules").json()).isEqualTo(json("{\"schedules\": []}"));
        assertThat(deploy("hello.zip", HELLO_ZIP).status()).isEqualTo(201);
        assertThat(put("nightly", "nightly.zip", Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json", """
                {"schedules": [{"cron": "0 3 * * *", "timezone": "Europe/Berlin", "body": {"job": "nightly"}},
                               {"cron": "@every 10s"}]}"""))).status()).isEqualTo(201);

        Response response = get("/schedules");

        // TestStore's clock: 2025-04-01T12:00:00.250Z
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json()).isEqualTo(json("""
                {"schedules": [
                  {"function": "nightly", "index": 0, "cron": "0 3 * * *", "timezone": "Europe/Berlin",
                   "nextRunAt": "2025-04-02T01:00:00Z", "lastRunAt": null, "lastInvocationId": null,
                   "lastStatus": null, "skipped": 0},
                  {"function": "nightly", "index": 1, "cron": "@every 10s", "timezone": "UTC",
                   "nextRunAt": "2025-04-01T12:00:10Z", "lastRunAt": null, "lastInvocationId": null,
                   "lastStatus": null, "skipped": 0}]}"""));
        List<String> fields = new ArrayList<>();
        response.json().get("schedules").get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("function", "index", "cron", "timezone", "nextRunAt", "lastRunAt",
                "lastInvocationId", "lastStatus", "skipped");

        assertThat(api.delete("/del/nightly").status()).isEqualTo(204);
        assertThat(get("/schedules").json()).isEqualTo(json("{\"schedules\": []}"));
    }

    /** Asserts the response is {@code {"error": "..."}} and nothing else, with no trace of a stack. */
    private static void assertError(Response response, int status, String fragment) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).as("content type of " + response.body()).startsWith("application/json");
        JsonNode body = response.json();
        assertThat(body.isObject()).as(response.body()).isTrue();
        assertThat(body.get("error")).as(response.body()).isNotNull();
        assertThat(body.get("error").isTextual()).isTrue();
        assertThat(body.get("error").asText()).contains(fragment);
        assertThat(response.body()).doesNotContain("Exception", "\tat ", ".java:");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private Response get(String path) {
        return api.get(path);
    }

    private Response invoke(String name, String body) {
        return api.invoke(name, body);
    }

    private Response deploy(String fileName, byte[] zip) {
        return api.deploy(fileName, zip);
    }

    /** {@code PUT /deploy/:name} with the zip in the multipart field {@code file}. */
    private Response put(String name, String fileName, byte[] zip) {
        String boundary = "----glambdar-put";
        return send(HttpRequest.newBuilder(uri("/deploy/" + name))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(
                        ApiClient.multipartBody(boundary, "file", fileName, zip))));
    }

    /** {@code POST /rollback/:name}, with no body when {@code body} is null. */
    private Response rollback(String name, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/rollback/" + name));
        return send(body == null ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private HttpRequest.Builder multipart(String field, String fileName, byte[] content) {
        return api.multipart(field, fileName, content);
    }

    private static byte[] multipartBody(String boundary, byte[] zip) {
        return ApiClient.multipartBody(boundary, "file", "upload.zip", zip);
    }

    private Response send(HttpRequest.Builder request) {
        return api.send(request);
    }

    private static byte[] zipWithRandomFile(int size) {
        byte[] noise = new byte[size];
        new Random(size).nextBytes(noise);
        return Zips.ofBytes(Map.of("index.js", Zips.HELLO.getBytes(StandardCharsets.UTF_8), "noise.bin", noise));
    }

    /** One HTTP/1.1 exchange on a fresh socket, with exactly the header lines given. */
    private RawHttp.Response raw(String method, String target, List<String> headerLines, byte[] body)
            throws IOException {
        // HEAD: the server closes after the head, so a body it sent would show
        return RawHttp.exchange(server.port(), method, target, "127.0.0.1", headerLines, body, method.equals("HEAD"));
    }
}

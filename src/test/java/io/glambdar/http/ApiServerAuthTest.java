package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;
import io.glambdar.it.ApiClient;
import io.glambdar.it.ApiClient.Response;
import io.glambdar.it.Zips;
import io.glambdar.store.TestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access policy and the keys API through a real HTTP server (the use cases on a real store, a fake engine): what
 * goes over the wire, in open and keyed mode. The policy's every branch is in {@code AccessPolicyTest}.
 */
class ApiServerAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_KEY = "admin-key-0123456789abcdef";
    private static final byte[] HELLO_ZIP = Zips.of(Zips.HELLO);
    private static final byte[] PUBLIC_ZIP = Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json",
            "{\"public\": true}"));

    @TempDir
    Path dir;

    private TestApiServer fixture;
    private FakeInvoker invoker;
    private TestStore store;
    private ApiServer server;
    private ApiClient api;

    private void start(AccessMode mode) {
        fixture = new TestApiServer(dir, mode);
        invoker = fixture.invoker;
        store = fixture.store;
        server = fixture.server;
        api = fixture.api;
    }

    private void startKeyed() {
        start(AccessMode.keyed(AdminKey.of(ADMIN_KEY)));
    }

    /** A new invoke key of {@code function}, made with the admin key (the API's default header at the time). */
    private String newKey(String function) {
        return api.send(post("/keys/" + function)).json().get("key").asText();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    // ---------------------------------------------------------------- the keys API

    @Test
    void keysAreCreatedShownOnceListedAndRevoked() {
        start(AccessMode.open(true));
        api.deployOk("hello", HELLO_ZIP);

        Response created = api.send(post("/keys/hello"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode key = created.json();
        assertThat(fieldNames(key)).containsExactly("function", "keyId", "key", "createdAt");
        assertThat(key.get("function").asText()).isEqualTo("hello");
        assertThat(key.get("key").asText()).startsWith("gk_" + key.get("keyId").asText() + "_");
        assertThat(key.get("createdAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
        store.clock.advance(Duration.ofSeconds(1));
        String second = api.send(post("/keys/hello")).json().get("keyId").asText();

        Response listed = api.get("/keys/hello");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(fieldNames(listed.json())).containsExactly("function", "keys");
        assertThat(listed.json().get("function").asText()).isEqualTo("hello");
        assertThat(listed.json().get("keys")).hasSize(2);
        JsonNode first = listed.json().get("keys").get(0);
        assertThat(fieldNames(first)).containsExactly("keyId", "createdAt", "lastUsedAt");
        assertThat(first.get("keyId").asText()).isEqualTo(key.get("keyId").asText());
        assertThat(first.get("lastUsedAt").isNull()).isTrue();
        assertThat(listed.body()).doesNotContain(key.get("key").asText()).doesNotContain("hash");

        Response revoked = api.delete("/keys/hello/" + key.get("keyId").asText());
        assertThat(revoked.status()).isEqualTo(204);
        assertThat(revoked.body()).isEmpty();
        assertThat(api.get("/keys/hello").json().get("keys")).singleElement()
                .satisfies(k -> assertThat(k.get("keyId").asText()).isEqualTo(second));
        assertError(api.delete("/keys/hello/" + key.get("keyId").asText()), 404, "has no invoke key");
    }

    @Test
    void theKeysApiSays404ForUnknownFunctionsAndKeysAnd400ForBadNames() {
        start(AccessMode.open(true));
        api.deployOk("hello", HELLO_ZIP);

        assertError(api.send(post("/keys/ghost")), 404, "'ghost' not found");
        assertError(api.get("/keys/ghost"), 404, "'ghost' not found");
        assertError(api.delete("/keys/ghost/0011223344556677"), 404, "'ghost' not found");
        assertError(api.delete("/keys/hello/0011223344556677"), 404, "no invoke key '0011223344556677'");
        assertError(api.send(post("/keys/a.b")), 400, "invalid function name");
        assertError(api.get("/keys/a.b"), 400, "invalid function name");
        assertError(api.delete("/keys/a.b/0011223344556677"), 400, "invalid function name");
    }

    // ---------------------------------------------------------------- keyed mode

    @Test
    void keyedModeWantsTheAdminKeyOnControlRoutesAndSaysHowToSendIt() {
        startKeyed();

        Response missing = api.get("/info");
        assertError(missing, 401, "Authorization: Bearer <admin key>");
        assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertError(api.send(get("/info").header("Authorization", "Bearer wrong")), 401, "not the admin key");
        assertError(api.send(get("/info").header("Authorization", "Basic " + ADMIN_KEY)), 401,
                "must be 'Bearer <key>'");
        Response wrongHeader = api.send(get("/info").header("X-Glambdar-Key", ADMIN_KEY));
        assertError(wrongHeader, 401, "wrong header");
        assertThat(wrongHeader.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertThat(api.send(get("/info").header("Authorization", "Bearer " + ADMIN_KEY)).status()).isEqualTo(200);
        assertThat(api.send(get("/info").header("Authorization", "bearer  " + ADMIN_KEY + " ")).status())
                .as("the scheme in any case, spaces around the key").isEqualTo(200);
        assertError(api.get("/nowhere"), 401, "Authorization: Bearer");
    }

    @Test
    void keyedModeInvocationsTakeTheAdminKeyOrTheirOwnInvokeKeysInEitherHeader() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        api.deployOk("other", HELLO_ZIP);
        String key = newKey("hello");
        String otherKey = newKey("other");
        api.defaultHeader("Authorization", null);

        assertThat(invoke("hello", "Authorization", "Bearer " + key).status()).isEqualTo(200);
        assertThat(invoke("hello", "X-Glambdar-Key", key).status()).isEqualTo(200);
        assertThat(invoke("hello", "Authorization", "Bearer " + ADMIN_KEY).status()).isEqualTo(200);
        assertThat(invoke("hello", "X-Glambdar-Key", ADMIN_KEY).status()).isEqualTo(200);
        assertThat(invoker.invocations).hasSize(4);

        Response none = invoke("hello");
        assertError(none, 401, "X-Glambdar-Key: <key>");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertError(invoke("hello", "X-Glambdar-Key", key + "x"), 401, "wrong key");
        assertError(invoke("hello", "Authorization", key), 401, "must be 'Bearer <key>'");
        assertError(invoke("hello", "X-Glambdar-Key", otherKey), 403, "another function");
        assertError(api.send(get("/info").header("Authorization", "Bearer " + key)), 403, "needs the admin key");
        assertError(api.send(get("/keys/hello").header("X-Glambdar-Key", key)), 403, "needs the admin key");
        assertError(api.send(get("/schedules").header("X-Glambdar-Key", key)), 403, "needs the admin key");
        assertError(api.get("/schedules"), 401, "admin key");
        assertThat(api.send(get("/schedules").header("Authorization", "Bearer " + ADMIN_KEY)).status())
                .isEqualTo(200);
        assertThat(invoker.invocations).hasSize(4);

        // The key's use is recorded, and shown to the admin.
        JsonNode listed = api.send(get("/keys/hello").header("Authorization", "Bearer " + ADMIN_KEY)).json();
        assertThat(listed.get("keys").get(0).get("lastUsedAt").asText()).isEqualTo("2025-04-01T12:00:00.250Z");
    }

    @Test
    void aRevokedKeyFailsOnTheVeryNextRequest() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        JsonNode created = api.send(post("/keys/hello")).json();
        String key = created.get("key").asText();
        api.defaultHeader("Authorization", null);
        assertThat(invoke("hello", "X-Glambdar-Key", key).status()).isEqualTo(200);

        assertThat(api.send(HttpRequest.newBuilder(api.uri("/keys/hello/" + created.get("keyId").asText()))
                .header("Authorization", "Bearer " + ADMIN_KEY).DELETE()).status()).isEqualTo(204);

        assertError(invoke("hello", "X-Glambdar-Key", key), 401, "wrong key");
    }

    @Test
    void aDeletedFunctionsKeysDieWithItAndNeverWorkForANewDeployOfTheName() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        String key = newKey("hello");
        assertThat(api.delete("/del/hello").status()).isEqualTo(204);
        api.deployOk("hello", HELLO_ZIP);

        assertThat(api.get("/keys/hello").json().get("keys")).isEmpty();
        api.defaultHeader("Authorization", null);
        assertError(invoke("hello", "X-Glambdar-Key", key), 401, "wrong key");
    }

    @Test
    void aPublicFunctionNeedsNoKeyAndMayBeCalledFromAnySite() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("open", PUBLIC_ZIP);
        api.deployOk("hello", HELLO_ZIP);
        api.defaultHeader("Authorization", null);

        assertThat(invoke("open").status()).isEqualTo(200);
        assertThat(invoke("open", "Origin", "https://elsewhere.example").status()).isEqualTo(200);
        assertThat(invoke("open", "Sec-Fetch-Site", "cross-site").status()).isEqualTo(200);
        assertThat(api.send(HttpRequest.newBuilder(api.uri("/invoke/open/sub/path")).GET()).status())
                .as("a sub-path is the same function's (this branch has no such route yet)").isNotIn(401, 403);
        assertError(invoke("hello"), 401, "needs a key");
        assertError(api.get("/info/open"), 401, "admin key");
    }

    @Test
    void aVersionSuffixIsTheFunctionsForKeys() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        api.deployOk("open", PUBLIC_ZIP);
        String key = newKey("hello");
        api.defaultHeader("Authorization", null);

        // The key is the function's, whatever version is invoked; "public" is the invoked version's own.
        assertThat(invoke("hello@1", "X-Glambdar-Key", key).status()).isEqualTo(200);
        assertThat(invoke("open@1").status()).isEqualTo(200);
        assertError(invoke("open@2"), 401, "needs a key"); // no such version: nothing public about it
        assertError(invoke("hello@1"), 401, "needs a key");
    }

    @Test
    void healthNeedsNoKeyAndNamesNoFunction() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("secretname", HELLO_ZIP);
        api.defaultHeader("Authorization", null);

        Response health = api.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).doesNotContain("secretname");
        assertThat(api.get("/health/").status()).isEqualTo(200);
        assertThat(api.send(get("/health").header("Origin", "https://elsewhere.example")).status()).isEqualTo(200);
        assertError(api.send(HttpRequest.newBuilder(api.uri("/health")).DELETE()), 401, "admin key");
    }

    @Test
    void pathsThatLeaveTheInvokePrefixAreNotInvocations() throws IOException {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("open", PUBLIC_ZIP);
        api.defaultHeader("Authorization", null);

        for (String path : List.of("/invoke/open/../../info", "/invoke/open/%2e%2e/%2e%2e/info",
                "/invoke/open/..%2f..%2finfo", "/invoke/open%2f..%2f..%2finfo", "/invoke/open/./../../info")) {
            RawHttp.Response raw = raw("GET", path, List.of());
            // At most an invocation of the public function with that sub-path: never the control route.
            assertThat(raw.text()).as(path).doesNotContain("\"functions\"");
        }
    }

    // ---------------------------------------------------------------- keyed mode: asynchronous invocations

    @Test
    void keyedModeAsyncCallsTakeAKeyAsInvocationsDo() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        api.deployOk("other", HELLO_ZIP);
        api.deployOk("open", PUBLIC_ZIP);
        String key = newKey("hello");
        String otherKey = newKey("other");
        api.defaultHeader("Authorization", null);

        assertThat(async("/async/hello", "Authorization", "Bearer " + ADMIN_KEY).status()).isEqualTo(202);
        assertThat(async("/async/hello", "X-Glambdar-Key", key).status()).isEqualTo(202);
        assertThat(async("/async/hello", "Authorization", "Bearer " + key).status()).isEqualTo(202);
        assertThat(async("/async/hello@1/sub/path", "X-Glambdar-Key", key).status()).isEqualTo(202);
        assertThat(async("/async/open").status()).as("a public function needs no key").isEqualTo(202);

        Response none = async("/async/hello");
        assertError(none, 401, "needs a key");
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertError(async("/async/hello", "X-Glambdar-Key", key + "x"), 401, "wrong key");
        assertError(async("/async/hello", "X-Glambdar-Key", otherKey), 403, "another function");
        assertError(async("/async/ghost"), 401, "needs a key");
        assertThat(store.jobs.list(null, null, 100)).hasSize(5);
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void aCallerWithoutAKeyRunsOnlyTheVersionFoundPublicNeverOneDeployedLater() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("open", PUBLIC_ZIP);
        String byKey = async("/async/open").json().get("invocationId").asText();
        api.defaultHeader("Authorization", null);
        String anonymous = async("/async/open").json().get("invocationId").asText();
        assertThat(invoke("open").header("X-Glambdar-Version")).isEqualTo("1");

        // Version 2 is not public: the job accepted without a key must not run it when its turn comes.
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        assertThat(api.update("open", HELLO_ZIP).status()).isEqualTo(201);
        api.defaultHeader("Authorization", null);
        assertThat(store.jobs.find(anonymous).orElseThrow().version()).isEqualTo(1);
        assertThat(store.jobs.find(byKey).orElseThrow().version()).as("a keyed caller's job runs on the active one")
                .isNull();
        assertError(invoke("open"), 401, "needs a key");
        assertError(invoke("open@1"), 401, "needs a key"); // the function was closed: its old public version too
    }

    @Test
    void deployingAVersionThatIsNotPublicClosesTheFunctionAndAPublicOneReopensOnlyThePublicVersions() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("open", PUBLIC_ZIP);                                   // 1: public
        assertThat(api.update("open", HELLO_ZIP).status()).isEqualTo(201);  // 2: not public
        api.defaultHeader("Authorization", null);
        for (String reference : List.of("open", "open@1", "open@2")) {
            assertError(invoke(reference), 401, "needs a key");
            assertThat(async("/async/" + reference).status()).as(reference).isEqualTo(401);
        }

        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        assertThat(api.update("open", PUBLIC_ZIP).status()).isEqualTo(201);  // 3: public again
        api.defaultHeader("Authorization", null);
        assertThat(invoke("open").header("X-Glambdar-Version")).isEqualTo("3");
        assertThat(invoke("open@1").header("X-Glambdar-Version")).isEqualTo("1");
        assertError(invoke("open@2"), 401, "needs a key");
        assertThat(invoker.invocations).hasSize(2);
    }

    @Test
    void twoAuthorizationOrKeyHeadersAreRefusedWhicheverComesFirst() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        String key = newKey("hello");
        api.defaultHeader("Authorization", null);

        for (List<String> order : List.of(List.of("Bearer " + ADMIN_KEY, "Bearer wrong"),
                List.of("Bearer wrong", "Bearer " + ADMIN_KEY))) {
            Response info = api.send(get("/info").header("Authorization", order.get(0))
                    .header("Authorization", order.get(1)));
            assertError(info, 400, "more than one Authorization header");
            assertError(invoke("hello", "Authorization", order.get(0), "Authorization", order.get(1)), 400,
                    "more than one Authorization header");
        }
        assertError(invoke("hello", "X-Glambdar-Key", key, "X-Glambdar-Key", "bad"), 400,
                "more than one X-Glambdar-Key header");
        assertThat(invoke("hello", "X-Glambdar-Key", key).status()).as("one key is fine").isEqualTo(200);
        assertThat(invoker.invocations).hasSize(1);
    }

    @Test
    void keyedModeInvocationsRoutesNeedTheAdminKey() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        String key = newKey("hello");
        String id = async("/async/hello").json().get("invocationId").asText();
        api.defaultHeader("Authorization", null);
        List<HttpRequest.Builder> routes = List.of(get("/invocations"), get("/invocations?function=hello"),
                get("/invocations/" + id), HttpRequest.newBuilder(api.uri("/invocations/" + id)).DELETE(),
                post("/invocations/" + id + "/retry"));

        for (HttpRequest.Builder route : routes) {
            HttpRequest built = route.build();
            String what = built.method() + " " + built.uri().getPath();
            assertThat(api.send(HttpRequest.newBuilder(built, (n, v) -> true)).status()).as(what).isEqualTo(401);
            Response withInvokeKey = api.send(HttpRequest.newBuilder(built, (n, v) -> true)
                    .header("X-Glambdar-Key", key));
            assertThat(withInvokeKey.status()).as(what + " with an invoke key").isEqualTo(403);
            assertThat(withInvokeKey.json().get("error").asText()).contains("needs the admin key");
            assertThat(api.send(HttpRequest.newBuilder(built, (n, v) -> true)
                    .header("Authorization", "Bearer " + key)).status()).as(what).isEqualTo(403);
        }
        assertThat(store.jobs.find(id).orElseThrow().status().dbName()).as("nothing was cancelled").isEqualTo("queued");

        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        assertThat(api.get("/invocations/" + id).status()).isEqualTo(200);
        assertThat(api.get("/invocations").json().get("invocations")).hasSize(1);
        assertThat(api.delete("/invocations/" + id).status()).isEqualTo(204);
        assertThat(api.send(post("/invocations/" + id + "/retry")).status()).isEqualTo(202);
    }

    // ---------------------------------------------------------------- Glambdar's credentials never reach the function

    @Test
    void glambdarKeysNeverReachTheFunctionButItsOwnAuthorizationDoes() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        api.deployOk("open", PUBLIC_ZIP);
        String key = newKey("hello");
        api.defaultHeader("Authorization", null);

        assertThat(invoke("hello", "X-Glambdar-Key", key, "X-Other", "kept").status()).isEqualTo(200);
        assertThat(invoke("hello", "Authorization", "Bearer " + key).status()).isEqualTo(200);
        assertThat(invoke("hello", "Authorization", "Bearer " + ADMIN_KEY).status()).isEqualTo(200);
        assertThat(invoke("hello", "X-Glambdar-Key", ADMIN_KEY, "Authorization", "Basic abc").status())
                .isEqualTo(200);
        assertThat(invoke("open", "Authorization", "Basic abc").status()).isEqualTo(200);
        assertThat(invoke("open", "Authorization", "Bearer the-functions-own-token").status()).isEqualTo(200);

        List<Map<String, List<String>>> seen = invoker.invocations.stream().map(call -> call.request().headers())
                .toList();
        assertThat(seen).hasSize(6);
        assertThat(seen).allSatisfy(headers -> assertThat(headers).doesNotContainKey("x-glambdar-key"));
        assertThat(seen.get(0)).containsEntry("x-other", List.of("kept"));
        assertThat(seen.get(1)).doesNotContainKey("authorization");
        assertThat(seen.get(2)).doesNotContainKey("authorization");
        assertThat(seen.get(3)).containsEntry("authorization", List.of("Basic abc"));
        assertThat(seen.get(4)).containsEntry("authorization", List.of("Basic abc"));
        assertThat(seen.get(5)).as("a bearer token that is no Glambdar key is the function's")
                .containsEntry("authorization", List.of("Bearer the-functions-own-token"));
        assertThat(seen.toString()).doesNotContain(key).doesNotContain(ADMIN_KEY);
    }

    @Test
    void glambdarKeysAreNotStoredWithAnAsyncRequest() {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        String key = newKey("hello");
        api.defaultHeader("Authorization", null);

        String byHeader = async("/async/hello", "X-Glambdar-Key", key, "Authorization", "Basic abc")
                .json().get("invocationId").asText();
        String byBearer = async("/async/hello", "Authorization", "Bearer " + key).json().get("invocationId").asText();
        String byAdmin = async("/async/hello", "Authorization", "Bearer " + ADMIN_KEY).json().get("invocationId")
                .asText();

        Map<String, List<String>> first = store.jobs.find(byHeader).orElseThrow().request().headers();
        assertThat(first).doesNotContainKey("x-glambdar-key").containsEntry("authorization", List.of("Basic abc"));
        assertThat(store.jobs.find(byBearer).orElseThrow().request().headers()).doesNotContainKey("authorization");
        assertThat(store.jobs.find(byAdmin).orElseThrow().request().headers()).doesNotContainKey("authorization");
    }

    // ---------------------------------------------------------------- web pages of other sites

    /** Every control route, plus an unknown one and a non-public invocation. */
    private static final List<String[]> CONTROL_ROUTES = List.of(
            new String[]{"POST", "/deploy"}, new String[]{"GET", "/info"}, new String[]{"GET", "/info/hello"},
            new String[]{"DELETE", "/del/hello"}, new String[]{"GET", "/logs/hello"},
            new String[]{"GET", "/logs/hello/inv-1"}, new String[]{"POST", "/keys/hello"},
            new String[]{"GET", "/keys/hello"}, new String[]{"DELETE", "/keys/hello/0011223344556677"},
            new String[]{"GET", "/nowhere"}, new String[]{"POST", "/invoke/hello"},
            new String[]{"GET", "/schedules"});

    @Test
    void openModeRefusesPagesOfOtherSitesOnEveryControlRoute() throws IOException {
        start(AccessMode.open(true));
        api.deployOk("hello", HELLO_ZIP);
        api.deployOk("open", PUBLIC_ZIP);
        int port = server.port();

        for (String[] route : CONTROL_ROUTES) {
            for (String header : List.of("Origin: https://evil.example", "Origin: null",
                    "Origin: http://127.0.0.1:" + (port + 1), "Origin: http://localhost:" + port,
                    "Sec-Fetch-Site: cross-site")) {
                RawHttp.Response raw = raw(route[0], route[1], List.of(header));
                assertThat(raw.status()).as(route[0] + " " + route[1] + " with " + header).isEqualTo(403);
                assertThat(raw.json().get("error").asText()).contains("cross-site request refused")
                        .contains("other sites");
            }
        }
        assertThat(api.get("/info/hello").status()).as("nothing was deleted").isEqualTo(200);
        assertThat(invoker.invocations).isEmpty();

        // Its own origin and same-site or user-initiated fetches pass.
        assertThat(raw("GET", "/info", List.of("Origin: http://127.0.0.1:" + port)).status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Origin: HTTP://127.0.0.1:" + port, "Sec-Fetch-Site: same-origin"))
                .status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Sec-Fetch-Site: same-site")).status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Sec-Fetch-Site: none")).status()).isEqualTo(200);
        // Exempt: health, and public functions.
        assertThat(raw("GET", "/health", List.of("Origin: https://evil.example")).status()).isEqualTo(200);
        assertThat(raw("POST", "/invoke/open", List.of("Origin: null")).status()).isEqualTo(200);
    }

    @Test
    void theDashboardAndTheApiDescriptionAreRefusedToPagesOfOtherSitesButOpenToTheirOwn() throws IOException {
        for (AccessMode mode : List.of(AccessMode.open(true), AccessMode.keyed(AdminKey.of(ADMIN_KEY)))) {
            start(mode);
            int port = server.port();
            for (String path : List.of("/", "/assets/app.js", "/openapi.json")) {
                for (String header : List.of("Origin: http://evil.com", "Origin: null", "Sec-Fetch-Site: cross-site")) {
                    RawHttp.Response raw = raw("GET", path, List.of(header));
                    assertThat(raw.status()).as(path + " with " + header).isEqualTo(403);
                    assertThat(raw.json().get("error").asText()).contains("cross-site request refused");
                }
                // Opened by its address or a bookmark, and the page's own requests: no key needed.
                assertThat(raw("GET", path, List.of("Sec-Fetch-Site: none")).status()).as(path).isEqualTo(200);
                assertThat(raw("GET", path, List.of("Origin: http://127.0.0.1:" + port, "Sec-Fetch-Site: same-origin"))
                        .status()).as(path).isEqualTo(200);
            }
            stop();
            fixture = null;
        }
    }

    @Test
    void anyOtherMethodOnAnInvocationIsUnderTheSameAccessPolicy() throws IOException {
        startKeyed();
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", HELLO_ZIP);
        api.defaultHeader("Authorization", null);

        RawHttp.Response noKey = raw("PROPFIND", "/invoke/hello/x", List.of());
        RawHttp.Response crossSite = raw("PURGE", "/invoke/hello", List.of("Authorization: Bearer " + ADMIN_KEY,
                "Origin: https://evil.example"));
        RawHttp.Response withKey = raw("PROPFIND", "/invoke/hello/x", List.of("Authorization: Bearer " + ADMIN_KEY));

        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.values("WWW-Authenticate")).containsExactly("Bearer realm=\"glambdar\"");
        assertThat(crossSite.status()).isEqualTo(403);
        assertThat(withKey.status()).as(withKey.text()).isEqualTo(200);
        assertThat(invoker.invocations).singleElement().satisfies(call -> {
            assertThat(call.request().method()).isEqualTo("PROPFIND");
            assertThat(call.request().headers()).doesNotContainKey("authorization");
        });
    }

    @Test
    void keyedModeRefusesPagesOfOtherSitesEvenWithTheKey() throws IOException {
        startKeyed();

        RawHttp.Response raw = raw("GET", "/info",
                List.of("Authorization: Bearer " + ADMIN_KEY, "Origin: https://evil.example"));

        assertThat(raw.status()).isEqualTo(403);
        assertThat(raw.json().get("error").asText()).contains("cross-site");
    }

    @Test
    void openModeOnLoopbackAnswersOnlyLoopbackHostNames() throws IOException {
        start(AccessMode.open(true));
        api.deployOk("hello", HELLO_ZIP);

        for (String host : List.of("localhost", "LOCALHOST:8000", "127.0.0.1", "127.1.2.3:99", "[::1]",
                "[::1]:" + server.port())) {
            assertThat(raw("GET", "/info", List.of(), host).status()).as(host).isEqualTo(200);
        }
        for (String host : List.of("evil.example", "evil.example:" + server.port(), "127.0.0.1.evil.example",
                "localhost.evil.example", "10.0.0.1", "[::2]")) {
            RawHttp.Response raw = raw("GET", "/info", List.of(), host);
            assertThat(raw.status()).as(host).isEqualTo(403);
            assertThat(raw.json().get("error").asText()).contains("DNS rebinding").contains("localhost");
        }
        assertThat(raw("GET", "/health", List.of(), "evil.example").status()).isEqualTo(200);
    }

    @Test
    void openModeOnAnotherAddressAnswersAnyHost() throws IOException {
        start(AccessMode.open(false));

        assertThat(raw("GET", "/info", List.of(), "glambdar.example:8000").status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Origin: http://glambdar.example:8000"), "glambdar.example:8000")
                .status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Origin: https://glambdar.example"), "glambdar.example")
                .status()).isEqualTo(200);
        assertThat(raw("GET", "/info", List.of("Origin: http://glambdar.example"), "glambdar.example:8000")
                .status()).isEqualTo(403);
    }

    // ---------------------------------------------------------------- headers too large

    @Test
    void headersOverTheLimitGetAJson431() throws IOException {
        start(AccessMode.open(true));

        for (String method : List.of("GET", "POST", "DELETE", "PUT", "PATCH")) {
            RawHttp.Response raw = raw(method, "/info", List.of("Authorization: Bearer " + "k".repeat(20_000)));

            assertThat(raw.status()).as(method).isEqualTo(431);
            assertThat(raw.values("Content-Type")).as(method).singleElement().satisfies(type ->
                    assertThat(type).startsWith("application/json"));
            assertThat(raw.json().get("error").asText()).contains("headers too large").contains("8192 bytes");
        }
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void aTenMegabyteHeaderGetsA431OrAClosedConnectionAndTheServerCarriesOn() throws Exception {
        start(AccessMode.open(true));

        RawHttp.Response raw = hugeHeader(server.port());

        if (raw != null) {
            assertThat(raw.status()).isEqualTo(431);
            assertThat(raw.json().get("error").asText()).contains("headers too large");
        }
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void anUploadRefusedForItsKeyIsReadToItsEndSoTheClientStillSendingItIsNotReset() throws IOException {
        // The refusal comes before any of the body is read; a connection closed with bytes still coming is reset, and
        // a reset can overtake the 401. Here the client reads the 401 first, then sends its body: all of it is taken
        // (Jetty reads a body no handler touched; one a handler began to read is OversizedBody's care).
        startKeyed();
        byte[] body = ApiClient.multipartBody("XX", "file", "big.zip", Zips.ofBytes(Map.of("index.js",
                Zips.HELLO.getBytes(StandardCharsets.UTF_8), "noise.bin", new byte[256 * 1024])));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /deploy HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=XX\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Response refused = RawHttp.read(socket.getInputStream(), "POST", false);
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.values("WWW-Authenticate")).containsExactly("Bearer realm=\"glambdar\"");
            assertThat(refused.json().get("error").asText()).isNotBlank();

            out.write(body);
            out.flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(api.send(get("/info").header("Authorization", "Bearer " + ADMIN_KEY)).json().get("count").asInt())
                .isZero();
        // without a body, a refusal leaves the connection open as any answer does
        RawHttp.Response bodiless = RawHttp.exchange(server.port(), "GET", "/info", "127.0.0.1:" + server.port(),
                List.of(), new byte[0], false);
        assertThat(bodiless.status()).isEqualTo(401);
        assertThat(bodiless.values("Connection")).isEmpty();
    }

    @Test
    void otherRequestsJettyRefusesAreJsonToo() throws IOException {
        start(AccessMode.open(true));

        RawHttp.Response raw = raw("DELETE", "/info", List.of("Bad Header: x"));

        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.values("Content-Type")).singleElement().satisfies(type ->
                assertThat(type).startsWith("application/json"));
        assertThat(raw.json().get("error").asText()).contains("400").contains("well-formed HTTP");
    }

    /**
     * Sends a request with a 10 MB Authorization header while reading the answer: the server answers once it has read
     * its limit, and may close the connection before the rest is sent.
     *
     * @return the answer, or null when the connection was reset before it could be read
     */
    static RawHttp.Response hugeHeader(int port) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                out.write(("GET /info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] chunk = "k".repeat(64 * 1024).getBytes(StandardCharsets.ISO_8859_1);
                for (int sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
                    out.write(chunk);
                }
                out.write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // the server closed the connection after its answer: expected
            }
        });
        try {
            return RawHttp.read(socket.getInputStream(), "GET", true);
        } catch (SocketException e) {
            return null; // reset: the server closed with our bytes unread
        } finally {
            socket.close(); // a writer still sending is stopped
            writing.get();
        }
    }

    // ---------------------------------------------------------------- helpers

    private Response invoke(String name, String... headers) {
        return api.invoke(name, "{}", headers);
    }

    private Response async(String target, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri(target))
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return api.send(request);
    }

    private HttpRequest.Builder post(String path) {
        return HttpRequest.newBuilder(api.uri(path)).POST(HttpRequest.BodyPublishers.noBody());
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(api.uri(path)).GET();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertError(Response response, int status, String fragment) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).contains(fragment);
        assertThat(fieldNames(response.json())).containsExactly("error");
    }

    private RawHttp.Response raw(String method, String target, List<String> headerLines) throws IOException {
        return raw(method, target, headerLines, "127.0.0.1:" + server.port());
    }

    /** One HTTP/1.1 exchange on a fresh socket, with exactly the request line, Host and header lines given. */
    private RawHttp.Response raw(String method, String target, List<String> headerLines, String host)
            throws IOException {
        return RawHttp.exchange(server.port(), method, target, host, headerLines, new byte[0], true);
    }
}

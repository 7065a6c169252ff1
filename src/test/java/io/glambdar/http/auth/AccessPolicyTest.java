package io.glambdar.http.auth;

import io.glambdar.http.auth.Decision.Denied;
import io.glambdar.usecase.InvokeKeys.Verdict;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every branch of the access policy, on fakes: no server, no store. */
class AccessPolicyTest {

    private static final String ADMIN = "the-admin-key-0123456789";
    private static final String HELLO_KEY = "gk_00112233445566aa_helloSecret";
    private static final String OTHER_KEY = "gk_00112233445566bb_otherSecret";
    private static final String REVOKED_KEY = "gk_00112233445566cc_revokedSecret";
    private static final String HOST = "127.0.0.1:8000";

    /**
     * Functions and keys: {@code hello} and {@code other}; {@code open}, every version of which is public (version 3
     * active); {@code mixed}, whose version 1 is public and whose active version 2 is not.
     */
    static final class FakeFunctions implements FunctionAccess {
        /** References (name, or name@version) of public versions, and the version each resolves to. */
        final Map<String, Integer> publicVersions = Map.of("open", 3, "open@1", 1, "open@2", 2, "open@3", 3,
                "mixed@1", 1);
        final Map<String, String> keyToFunction = new HashMap<>(Map.of(HELLO_KEY, "hello", OTHER_KEY, "other"));
        final List<String> recordedUses = new ArrayList<>();

        @Override
        public OptionalInt publicVersion(String reference) {
            Integer version = publicVersions.get(reference);
            return version == null ? OptionalInt.empty() : OptionalInt.of(version);
        }

        @Override
        public Verdict checkInvokeKey(String key, String function) {
            String owner = keyToFunction.get(key);
            if (owner == null) {
                return Verdict.INVALID;
            }
            if (!owner.equals(function)) {
                return Verdict.OTHER_FUNCTION;
            }
            recordedUses.add(key);
            return Verdict.VALID;
        }
    }

    private final FakeFunctions functions = new FakeFunctions();
    private final AccessPolicy open = new AccessPolicy(AccessMode.open(true), functions);
    private final AccessPolicy openAnyHost = new AccessPolicy(AccessMode.open(false), functions);
    private final AccessPolicy keyed = new AccessPolicy(AccessMode.keyed(AdminKey.of(ADMIN)), functions);

    /** Every control route, an unknown one, and a method the router does not have. */
    static Stream<String[]> controlRoutes() {
        return Stream.of(new String[]{"POST", "/deploy"}, new String[]{"GET", "/info"},
                new String[]{"GET", "/info/hello"}, new String[]{"DELETE", "/del/hello"},
                new String[]{"GET", "/logs/hello"}, new String[]{"GET", "/logs/hello/inv-1"},
                new String[]{"POST", "/keys/hello"}, new String[]{"GET", "/keys/hello"},
                new String[]{"DELETE", "/keys/hello/00112233445566aa"}, new String[]{"GET", "/nowhere"},
                new String[]{"PUT", "/deploy/hello"}, new String[]{"POST", "/health"}, new String[]{"POST", "/"},
                new String[]{"GET", "/INVOKE/open"}, new String[]{"GET", "/invoke"},
                new String[]{"GET", "/schedules"}, new String[]{"GET", "/metrics"});
    }

    private static Request request(String method, String path) {
        return new Request(method, path);
    }

    /** Builds an {@link AccessRequest}: {@code Host} is this server's loopback address unless set. */
    private static final class Request {
        final String method;
        final String path;
        String host = HOST;
        String origin;
        String secFetchSite;
        String authorization;
        String glambdarKey;

        Request(String method, String path) {
            this.method = method;
            this.path = path;
        }

        Request host(String value) {
            host = value;
            return this;
        }

        Request origin(String value) {
            origin = value;
            return this;
        }

        Request fetchSite(String value) {
            secFetchSite = value;
            return this;
        }

        Request bearer(String key) {
            authorization = "Bearer " + key;
            return this;
        }

        Request authorization(String value) {
            authorization = value;
            return this;
        }

        Request glambdarKey(String key) {
            glambdarKey = key;
            return this;
        }

        AccessRequest build() {
            return new AccessRequest(method, path, host, origin, secFetchSite, authorization, glambdarKey);
        }
    }

    private static Decision decide(AccessPolicy policy, Request request) {
        return policy.decide(request.build());
    }

    private static void assertAllowed(Decision decision) {
        assertThat(decision).isEqualTo(Decision.ALLOWED);
    }

    private static Denied assertDenied(Decision decision, int status, String fragment) {
        assertThat(decision).isInstanceOf(Denied.class);
        Denied denied = (Denied) decision;
        assertThat(denied.status()).as(denied.message()).isEqualTo(status);
        assertThat(denied.challenge()).as("WWW-Authenticate on a 401, not on a 403").isEqualTo(status == 401);
        assertThat(denied.message()).contains(fragment);
        assertThat(denied.message()).doesNotContain(ADMIN).doesNotContain("Secret");
        return denied;
    }

    // ---------------------------------------------------------------- open mode

    @Nested
    class OpenMode {

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void everyRouteIsOpenToProgramsWithoutAKey(String method, String path) {
            assertAllowed(decide(open, request(method, path)));
            assertAllowed(decide(open, request("POST", "/invoke/hello")));
        }

        @Test
        void keysAreNotCheckedInOpenMode() {
            assertAllowed(decide(open, request("GET", "/info").bearer("whatever")));
            assertAllowed(decide(open, request("POST", "/invoke/hello").glambdarKey(OTHER_KEY)));
            assertThat(functions.recordedUses).isEmpty();
        }

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void pagesOfOtherSitesAreRefusedOnEveryControlRoute(String method, String path) {
            for (Request crossSite : List.of(request(method, path).origin("https://evil.example"),
                    request(method, path).origin("null"),
                    request(method, path).origin("http://127.0.0.1:8001"),
                    request(method, path).origin("http://localhost:8000"),
                    request(method, path).origin("ftp://127.0.0.1:8000"),
                    request(method, path).origin("http://127.0.0.1:8000/path"),
                    request(method, path).origin("garbage"),
                    request(method, path).fetchSite("cross-site"),
                    request(method, path).fetchSite("Cross-Site"),
                    request(method, path).origin("http://127.0.0.1:8000").fetchSite("cross-site"),
                    // a repeated header, as the filter passes it on: every value counts, not the first
                    request(method, path).origin("http://127.0.0.1:8000, https://evil.example"),
                    request(method, path).fetchSite("same-origin, cross-site"))) {
                assertDenied(decide(open, crossSite), 403, "cross-site request refused");
                assertDenied(decide(keyed, crossSite.bearer(ADMIN)), 403, "cross-site request refused");
            }
        }

        @Test
        void aNonPublicInvocationFromAnotherSiteIsRefused() {
            assertDenied(decide(open, request("POST", "/invoke/hello").origin("https://evil.example")), 403,
                    "other sites");
            assertDenied(decide(open, request("POST", "/invoke/ghost").fetchSite("cross-site")), 403,
                    "\"public\": true");
        }

        @Test
        void theServersOwnOriginAndSameSiteFetchesPass() {
            assertAllowed(decide(open, request("GET", "/info").origin("http://127.0.0.1:8000")));
            assertAllowed(decide(open, request("GET", "/info").origin("https://127.0.0.1:8000")));
            assertAllowed(decide(open, request("GET", "/info").origin("HTTP://127.0.0.1:8000")));
            assertAllowed(decide(open, request("GET", "/info").origin("http://localhost:8000").host("LocalHost:8000")));
            assertAllowed(decide(open, request("GET", "/info").origin("http://localhost").host("localhost")));
            assertAllowed(decide(open, request("GET", "/info").origin("http://localhost:80").host("localhost")));
            assertAllowed(decide(open, request("GET", "/info").origin("http://[::1]:8000").host("[::1]:8000")));
            for (String site : List.of("same-origin", "same-site", "none")) {
                assertAllowed(decide(open, request("DELETE", "/del/hello").fetchSite(site)));
            }
        }

        @Test
        void anOriginWithoutAHostToCompareWithIsRefused() {
            assertDenied(decide(openAnyHost, request("GET", "/info").origin("http://127.0.0.1:8000").host(null)),
                    403, "not this server's own origin");
        }

        @Test
        void onLoopbackOnlyLoopbackHostNamesAreAnswered() {
            for (String host : List.of("localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:8000",
                    "127.255.0.9:1", "[::1]", "[::1]:8000", "[0:0:0:0:0:0:0:1]:8000")) {
                assertAllowed(decide(open, request("GET", "/info").host(host)));
            }
            for (String host : List.of("evil.example", "evil.example:8000", "127.0.0.1.evil.example",
                    "localhost.evil.example:8000", "10.1.2.3", "128.0.0.1", "127.0.0.256", "127.0.0", "[::2]:8000",
                    "[::1", "::1", "localhost:99999", "localhost:x", "")) {
                assertDenied(decide(open, request("GET", "/info").host(host)), 403, "DNS rebinding");
            }
            assertAllowed(decide(open, request("GET", "/info").host(null))); // HTTP/1.0: not a browser
        }

        @Test
        void theLastHostsJudgementIsReusedOnlyForThatHost() {
            for (int i = 0; i < 3; i++) {
                assertAllowed(decide(open, request("GET", "/info").host("localhost:8000")));
                assertAllowed(decide(open, request("GET", "/info").host("localhost:8000")));
                assertDenied(decide(open, request("GET", "/info").host("evil.example:8000")), 403, "DNS rebinding");
                assertDenied(decide(open, request("GET", "/info").host("evil.example:8000")), 403, "DNS rebinding");
                assertAllowed(decide(open, request("GET", "/info").host(null)));
                assertDenied(decide(open, request("GET", "/info").host("localhost.evil.example:8000")), 403,
                        "DNS rebinding");
            }
        }

        @Test
        void dnsRebindingIsRefusedEvenThoughThePageIsSameOriginWithItself() {
            // The attacker's page at http://rebind.example:8000, its name now pointing at 127.0.0.1.
            Request rebound = request("DELETE", "/del/hello").host("rebind.example:8000")
                    .origin("http://rebind.example:8000").fetchSite("same-origin");

            assertDenied(decide(open, rebound), 403, "DNS rebinding");
        }

        @Test
        void offLoopbackAnyHostIsAnswered() {
            assertAllowed(decide(openAnyHost, request("GET", "/info").host("glambdar.example:8000")));
            assertAllowed(decide(openAnyHost, request("GET", "/info").host("glambdar.example")
                    .origin("https://glambdar.example")));
            assertDenied(decide(openAnyHost, request("GET", "/info").host("glambdar.example:8000")
                    .origin("https://glambdar.example")), 403, "cross-site");
        }
    }

    // ---------------------------------------------------------------- exempt routes and public functions

    @Nested
    class Exempt {

        @Test
        void healthNeedsNoKeyAndMayBeCalledFromAnywhere() {
            for (AccessPolicy policy : List.of(open, keyed)) {
                assertAllowed(decide(policy, request("GET", "/health")));
                assertAllowed(decide(policy, request("GET", "/health/")));
                assertAllowed(decide(policy, request("GET", "/health").origin("null").fetchSite("cross-site")
                        .host("evil.example")));
                assertAllowed(decide(policy, request("GET", "/health").bearer("wrong")));
            }
            assertDenied(decide(keyed, request("POST", "/health")), 401, "admin key");
            assertDenied(decide(keyed, request("GET", "/healthz")), 401, "admin key");
            assertDenied(decide(keyed, request("GET", "/health/x")), 401, "admin key");
        }

        @Test
        void theExemptRoutesAreOneList() {
            assertThat(Route.EXEMPT).containsExactly(new Route.ExemptRoute("GET", "/health", false, true),
                    new Route.ExemptRoute("GET", "/openapi.json", false, false),
                    new Route.ExemptRoute("GET", "/", false, false),
                    new Route.ExemptRoute("GET", "/assets/", true, false));
            assertThat(Route.classify("GET", "/health")).isEqualTo(new Route.Exempt(true));
            assertThat(Route.classify("GET", "/")).isEqualTo(new Route.Exempt(false));
        }

        @Test
        void theDashboardAndTheApiDescriptionNeedNoKeyButTheDataTheyShowDoes() {
            for (String path : List.of("/", "/openapi.json", "/assets/app.js", "/assets/style.css")) {
                for (AccessPolicy policy : List.of(open, keyed)) {
                    for (String method : List.of("GET", "HEAD")) {
                        assertAllowed(decide(policy, request(method, path)));
                        // Opened by its address or a bookmark, then its own requests.
                        assertAllowed(decide(policy, request(method, path).fetchSite("none")));
                        assertAllowed(decide(policy, request(method, path).origin("http://" + HOST)
                                .fetchSite("same-origin")));
                    }
                }
                assertDenied(decide(keyed, request("POST", path)), 401, "admin key");
            }
            for (String path : List.of("/info", "/metrics", "/logs/f", "/assets", "/openapi.json/x", "/index.html")) {
                assertDenied(decide(keyed, request("GET", path)), 401, "admin key");
            }
        }

        @Test
        void theDashboardAndTheApiDescriptionRefusePagesOfOtherSitesAsEveryRouteButHealthDoes() {
            for (String path : List.of("/", "/openapi.json", "/assets/app.js")) {
                for (AccessPolicy policy : List.of(open, keyed)) {
                    assertDenied(decide(policy, request("GET", path).origin("http://evil.com")), 403, "cross-site");
                    assertDenied(decide(policy, request("GET", path).origin("null")), 403, "cross-site");
                    assertDenied(decide(policy, request("GET", path).fetchSite("cross-site")), 403, "cross-site");
                }
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"/invoke/open", "/invoke/open/", "/invoke/open/a/b?x=1", "/invoke/open@3",
                "/invoke/open@3/sub"})
        void aPublicFunctionNeedsNoKeyAndMayBeCalledFromAnySite(String path) {
            Decision asPublic = new Decision.AllowedAsPublic(3);
            for (String method : List.of("POST", "GET", "DELETE", "PUT")) {
                // Let in by its request alone (open mode, no Origin): no version to hold it to.
                assertAllowed(decide(open, request(method, path)));
                assertAllowed(decide(open, request(method, path).bearer("wrong")));
                assertThat(decide(keyed, request(method, path))).isEqualTo(asPublic);
                assertThat(decide(keyed, request(method, path).bearer("wrong"))).isEqualTo(asPublic);
                for (AccessPolicy policy : List.of(open, keyed)) {
                    assertThat(decide(policy, request(method, path).origin("null"))).isEqualTo(asPublic);
                    assertThat(decide(policy, request(method, path).origin("https://evil.example")
                            .fetchSite("cross-site").host("evil.example"))).isEqualTo(asPublic);
                }
            }
            // A caller with a key is not held to the public version.
            assertAllowed(decide(keyed, request("POST", path).bearer(ADMIN)));
        }

        @Test
        void aCallerLetInOnlyBecauseAVersionIsPublicIsHeldToThatVersion() {
            assertDenied(decide(keyed, request("POST", "/invoke/mixed")), 401, "needs a key");
            assertDenied(decide(keyed, request("POST", "/async/mixed")), 401, "needs a key");
            assertDenied(decide(open, request("POST", "/invoke/mixed").origin("null")), 403, "cross-site");
            for (String path : List.of("/invoke/mixed@1", "/async/mixed@1/sub")) {
                assertThat(decide(keyed, request("POST", path))).isEqualTo(new Decision.AllowedAsPublic(1));
                assertThat(decide(open, request("POST", path).origin("null")))
                        .isEqualTo(new Decision.AllowedAsPublic(1));
            }
        }
    }

    // ---------------------------------------------------------------- keyed mode: control routes

    @Nested
    class KeyedControlRoutes {

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void theAdminKeyInAuthorizationPasses(String method, String path) {
            assertAllowed(decide(keyed, request(method, path).bearer(ADMIN)));
            assertAllowed(decide(keyed, request(method, path).authorization("bearer   " + ADMIN + "  ")));
            assertAllowed(decide(keyed, request(method, path).authorization("BEARER\t" + ADMIN)));
            // In keyed mode any Host is fine: keys, not names, keep DNS-rebinding pages out.
            assertAllowed(decide(keyed, request(method, path).bearer(ADMIN).host("glambdar.example")));
        }

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void aMissingKeyIs401SayingHowToSendOne(String method, String path) {
            Denied denied = assertDenied(decide(keyed, request(method, path)), 401,
                    "'Authorization: Bearer <admin key>'");
            assertThat(denied.message()).contains("GLAMBDAR_ADMIN_KEY");
        }

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void aWrongKeyIs401(String method, String path) {
            assertDenied(decide(keyed, request(method, path).bearer(ADMIN + "x")), 401, "not the admin key");
            assertDenied(decide(keyed, request(method, path).bearer(REVOKED_KEY)), 401, "not the admin key");
            assertDenied(decide(keyed, request(method, path).bearer("gk_nonsense")), 401, "not the admin key");
            assertDenied(decide(keyed, request(method, path).glambdarKey("nope")), 401, "not the admin key");
        }

        @Test
        void aMalformedAuthorizationIs401SayingWhatItMustLookLike() {
            for (String value : List.of("Basic " + ADMIN, ADMIN, "Bearer", "Bearer ", "Bearer" + ADMIN, "Token x",
                    "")) {
                assertDenied(decide(keyed, request("GET", "/info").authorization(value)), 401,
                        "must be 'Bearer <key>'");
            }
        }

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void theAdminKeyInTheWrongHeaderIs401SayingWhichHeader(String method, String path) {
            assertDenied(decide(keyed, request(method, path).glambdarKey(ADMIN)), 401,
                    "wrong header: X-Glambdar-Key is only for invocations; send it as 'Authorization: Bearer");
            assertDenied(decide(keyed, request(method, path).glambdarKey(ADMIN).bearer("wrong")), 401,
                    "wrong header");
        }

        @ParameterizedTest
        @MethodSource("io.glambdar.http.auth.AccessPolicyTest#controlRoutes")
        void anInvokeKeyOnAControlRouteIs403(String method, String path) {
            assertDenied(decide(keyed, request(method, path).bearer(HELLO_KEY)), 403,
                    "an invoke key can only invoke the function it was made for");
            assertDenied(decide(keyed, request(method, path).glambdarKey(OTHER_KEY)), 403, "needs the admin key");
            assertThat(functions.recordedUses).as("no use is recorded for a refused key").isEmpty();
        }
    }

    // ---------------------------------------------------------------- keyed mode: invocations

    @Nested
    class KeyedInvocations {

        @ParameterizedTest
        @ValueSource(strings = {"/invoke/hello", "/invoke/hello/", "/invoke/hello/sub/path", "/invoke/hello@2",
                "/invoke/hello@2/sub?q=1"})
        void theAdminKeyOrTheFunctionsInvokeKeyInEitherHeaderPasses(String path) {
            for (String method : List.of("POST", "GET", "PATCH")) {
                assertAllowed(decide(keyed, request(method, path).bearer(ADMIN)));
                assertAllowed(decide(keyed, request(method, path).glambdarKey(ADMIN)));
                assertAllowed(decide(keyed, request(method, path).bearer(HELLO_KEY)));
                assertAllowed(decide(keyed, request(method, path).glambdarKey(HELLO_KEY)));
                assertAllowed(decide(keyed, request(method, path).glambdarKey(" " + HELLO_KEY + " ")));
                // One good key is enough, wherever it is.
                assertAllowed(decide(keyed, request(method, path).bearer("wrong").glambdarKey(HELLO_KEY)));
                assertAllowed(decide(keyed, request(method, path).authorization("Basic x").glambdarKey(HELLO_KEY)));
                assertAllowed(decide(keyed, request(method, path).bearer(HELLO_KEY).glambdarKey("wrong")));
            }
            assertThat(functions.recordedUses).isNotEmpty().containsOnly(HELLO_KEY);
        }

        @Test
        void aMissingKeyIs401SayingBothHeaders() {
            Denied denied = assertDenied(decide(keyed, request("POST", "/invoke/hello")), 401, "needs a key");
            assertThat(denied.message()).contains("'Authorization: Bearer <key>'", "'X-Glambdar-Key: <key>'",
                    "POST /keys/");
            assertDenied(decide(keyed, request("POST", "/invoke/hello").glambdarKey("  ")), 401, "needs a key");
        }

        @Test
        void aWrongOrRevokedKeyIs401() {
            assertDenied(decide(keyed, request("POST", "/invoke/hello").glambdarKey(REVOKED_KEY)), 401, "wrong key");
            assertDenied(decide(keyed, request("POST", "/invoke/hello").bearer(REVOKED_KEY)), 401, "revoked");
            assertDenied(decide(keyed, request("POST", "/invoke/hello").bearer(ADMIN + "x")), 401, "wrong key");
            functions.keyToFunction.remove(HELLO_KEY); // revoked: the very next request fails
            assertDenied(decide(keyed, request("POST", "/invoke/hello").bearer(HELLO_KEY)), 401, "wrong key");
        }

        @Test
        void aMalformedAuthorizationIs401() {
            assertDenied(decide(keyed, request("POST", "/invoke/hello").authorization(HELLO_KEY)), 401,
                    "must be 'Bearer <key>'");
        }

        @Test
        void anotherFunctionsKeyIs403() {
            assertDenied(decide(keyed, request("POST", "/invoke/hello").bearer(OTHER_KEY)), 403, "another function");
            assertDenied(decide(keyed, request("POST", "/invoke/hello@2").glambdarKey(OTHER_KEY)), 403,
                    "another function");
            assertDenied(decide(keyed, request("POST", "/invoke/ghost").glambdarKey(HELLO_KEY)), 403,
                    "another function");
            assertThat(functions.recordedUses).isEmpty();
        }

        @Test
        void anUnknownFunctionIsNotRevealedWithoutAKey() {
            assertDenied(decide(keyed, request("POST", "/invoke/ghost")), 401, "needs a key");
            assertAllowed(decide(keyed, request("POST", "/invoke/ghost").bearer(ADMIN))); // then a 404
        }

        @Test
        void anEncodedNameIsNeverAnotherFunctions() {
            // The router would decode it: the policy keeps it as sent, which is no function's name.
            assertDenied(decide(keyed, request("POST", "/invoke/hell%6F").bearer(HELLO_KEY)), 403, "another");
            assertDenied(decide(keyed, request("POST", "/invoke/op%65n")), 401, "needs a key");
        }
    }

    // ---------------------------------------------------------------- parts

    @Test
    void routesAreClassifiedOnTheRawPath() {
        assertThat(Route.classify("POST", "/invoke/hello")).isEqualTo(new Route.Invocation("hello", "hello"));
        assertThat(Route.classify("GET", "/invoke/hello@12/a/b"))
                .isEqualTo(new Route.Invocation("hello", "hello@12"));
        assertThat(Route.classify("GET", "/invoke/")).isEqualTo(new Route.Invocation("", ""));
        assertThat(Route.classify("GET", "/invoke/@3")).isEqualTo(new Route.Invocation("", "@3"));
        assertThat(Route.classify("GET", "/invoke")).isInstanceOf(Route.Control.class);
        assertThat(Route.classify("GET", "/invokes/hello")).isInstanceOf(Route.Control.class);
        assertThat(Route.classify("GET", "/health")).isInstanceOf(Route.Exempt.class);
        assertThat(Route.classify("HEAD", "/health")).isEqualTo(new Route.Exempt(true));
        assertThat(Route.classify("POST", "/health")).isInstanceOf(Route.Control.class);
        assertThat(Route.classify("GET", "/keys/hello")).isInstanceOf(Route.Control.class);
    }

    @Test
    void bearerTokensAreReadAsRfc6750Says() {
        assertThat(AccessPolicy.bearerToken("Bearer abc")).isEqualTo("abc");
        assertThat(AccessPolicy.bearerToken("bearer  abc ")).isEqualTo("abc");
        assertThat(AccessPolicy.bearerToken("Bearer")).isNull();
        assertThat(AccessPolicy.bearerToken("Bearerabc")).isNull();
        assertThat(AccessPolicy.bearerToken("Basic abc")).isNull();
        assertThat(AccessPolicy.bearerToken(null)).isNull();
    }

    @Test
    void theAdminKeyIsKeptAsAHashAndComparedWhole() {
        AdminKey key = AdminKey.of(ADMIN);

        assertThat(key.matches(ADMIN)).isTrue();
        assertThat(key.matches(ADMIN + " ")).isFalse();
        assertThat(key.matches(ADMIN.substring(1))).isFalse();
        assertThat(key.matches("")).isFalse();
        assertThat(key.matches(null)).isFalse();
        assertThat(key.toString()).doesNotContain(ADMIN);
    }

    @Test
    void requestsNeverShowTheirKeys() {
        assertThat(request("GET", "/info").bearer(ADMIN).glambdarKey(HELLO_KEY).build().toString())
                .doesNotContain(ADMIN).doesNotContain(HELLO_KEY);
    }
}

package io.glambdar.http;

import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;
import io.glambdar.it.ApiClient;
import io.glambdar.it.ApiClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /} and {@code GET /assets/:file}: the dashboard's page and assets as the browser gets them. */
class DashboardRoutesTest {

    private static final String ADMIN_KEY = "dashboard-test-admin-key-0123456789";

    @TempDir
    Path dir;

    private TestApiServer server;
    private ApiClient api;

    private void start(AccessMode access) {
        server = new TestApiServer(dir, access);
        api = server.api;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePageIsHtmlWithAStrictContentSecurityPolicyAndNoInlineScript() {
        start(AccessMode.open(true));
        Response page = api.get("/");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type").replace(" ", "")).isEqualTo("text/html;charset=utf-8");
        String csp = page.header("Content-Security-Policy");
        assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'",
                "require-trusted-types-for 'script'").doesNotContain("unsafe", "http:", "https:", "*");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
        // Scripts only from files: every <script> has a src, and no element has an inline handler or style.
        Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(page.body());
        int count = 0;
        while (scripts.find()) {
            assertThat(scripts.group(1)).contains("src=\"/assets/");
            count++;
        }
        assertThat(count).isEqualTo(1);
        assertThat(page.body()).doesNotContainPattern("\\son[a-z]+=").doesNotContain("style=", "http://", "https://");
    }

    @Test
    void everyAssetThePageAndItsModulesLoadIsServedWithItsContentType() {
        start(AccessMode.open(true));
        Map<String, String> types = Map.of("js", "text/javascript;charset=utf-8", "css", "text/css;charset=utf-8",
                "svg", "image/svg+xml");
        Set<String> seen = new HashSet<>();
        Deque<String> toLoad = new ArrayDeque<>(references(api.get("/").body()));
        assertThat(toLoad).contains("/assets/boot.js", "/assets/style.css", "/assets/icon.svg");
        while (!toLoad.isEmpty()) {
            String path = toLoad.pop();
            if (!seen.add(path)) {
                continue;
            }
            Response asset = api.get(path);
            assertThat(asset.status()).as(path).isEqualTo(200);
            assertThat(asset.header("Content-Type").replace(" ", "")).as(path)
                    .isEqualTo(types.get(path.substring(path.lastIndexOf('.') + 1)));
            assertThat(asset.header("X-Content-Type-Options")).isEqualTo("nosniff");
            // Data goes in as text only, and the admin key nowhere but sessionStorage.
            assertThat(asset.body()).as(path).doesNotContain(".innerHTML", ".outerHTML", "insertAdjacentHTML",
                    "document.write", "eval(", "new Function", "localStorage.", "document.cookie");
            if (path.endsWith(".js")) {
                toLoad.addAll(references(asset.body()));
            }
        }
        // The modules the page runs: app.js from boot.js, each other one reached from app.js by its imports.
        assertThat(seen).contains("/assets/app.js", "/assets/api.js", "/assets/dom.js", "/assets/functions.js",
                "/assets/function.js", "/assets/async.js", "/assets/schedules.js", "/assets/follow.js");
    }

    /**
     * Asset paths a page or module names: {@code /assets/x} in the page, {@code './x.js'} in an import or a dynamic
     * {@code import()}.
     */
    private static Set<String> references(String text) {
        Set<String> paths = new HashSet<>();
        Matcher absolute = Pattern.compile("\"(/assets/[a-z0-9.-]+)\"").matcher(text);
        while (absolute.find()) {
            paths.add(absolute.group(1));
        }
        Matcher imports = Pattern.compile("(?:from |import\\()'\\./([a-z0-9-]+\\.js)'").matcher(text);
        while (imports.find()) {
            paths.add("/assets/" + imports.group(1));
        }
        return paths;
    }

    @Test
    void aBrowserRevalidatesItsCopyWithTheETag() {
        start(AccessMode.open(true));
        Response first = api.get("/assets/app.js");
        String etag = first.header("ETag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");

        Response again = api.send(HttpRequest.newBuilder(api.uri("/assets/app.js")).header("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        Response other = api.send(HttpRequest.newBuilder(api.uri("/assets/app.js")).header("If-None-Match", "\"x\""));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.body()).isEqualTo(first.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/nothing.js", "/assets/App.js", "/assets/app.js.map", "/assets/index.html",
            "/assets/..%2Findex.html", "/assets/%2e%2e%2fapplication.properties", "/assets/.hidden.js",
            "/assets/dir/app.js", "/assets/"})
    void anUnknownAssetIsA404InJson(String path) {
        start(AccessMode.open(true));
        Response response = api.get(path);

        assertThat(response.status()).as(path).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).isNotBlank();
    }

    @Test
    void inKeyedModeThePageAndAssetsNeedNoKeyButTheDataTheyShowDoes() {
        start(AccessMode.keyed(AdminKey.of(ADMIN_KEY)));

        assertThat(api.get("/").status()).isEqualTo(200);
        assertThat(api.get("/assets/app.js").status()).isEqualTo(200);
        Response info = api.get("/info");
        assertThat(info.status()).isEqualTo(401);
        assertThat(info.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertThat(api.send(HttpRequest.newBuilder(api.uri("/info")).header("Authorization", "Bearer " + ADMIN_KEY))
                .status()).isEqualTo(200);
    }
}

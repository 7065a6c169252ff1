package io.glambdar.http;

import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;
import io.glambdar.it.ApiClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /openapi.json} against the real server: it describes exactly the routes the server registered with its
 * router (so neither can change without the other), and it is served as is, to anyone.
 */
class OpenApiRoutesTest {

    @TempDir
    Path dir;

    private TestApiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDocumentDescribesEveryRouteOfTheServerAndNoOther() {
        server = new TestApiServer(dir, AccessMode.open(true));
        Set<String> real = server.server.routes().stream()
                .map(route -> route.method() + " " + openApiTemplate(route.path()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = OpenApiOperations.of(OpenApiDocumentTest.DOCUMENT).stream()
                .map(operation -> operation.method() + " " + operation.path())
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> undocumented = new TreeSet<>(real);
        undocumented.removeAll(documented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(real);
        assertThat(undocumented).as("routes the server has that openapi.json does not describe").isEmpty();
        assertThat(missing).as("routes openapi.json describes that the server does not have").isEmpty();
        // The sanity of the comparison itself: every method of the invoke routes is there, QUERY included.
        assertThat(real).contains("POST /invoke/{name}", "QUERY /invoke/{name}/{sub}", "GET /openapi.json");
    }

    @Test
    void javalinTemplatesBecomeOpenApiTemplates() {
        assertThat(openApiTemplate("/invoke/{name}/<sub>")).isEqualTo("/invoke/{name}/{sub}");
        assertThat(openApiTemplate("/keys/{name}/{keyId}")).isEqualTo("/keys/{name}/{keyId}");
        assertThat(openApiTemplate("/health")).isEqualTo("/health");
    }

    @Test
    void theServedDocumentIsTheResourceAsJsonWithoutAKeyButNotToPagesOfOtherSites() {
        server = new TestApiServer(dir, AccessMode.keyed(AdminKey.of("admin-key-0123456789abcdef")));

        Response response = server.api.get(OpenApiHandler.ROUTE);
        Response crossSite = server.api.send(HttpRequest.newBuilder(server.api.uri(OpenApiHandler.ROUTE))
                .header("Origin", "https://elsewhere.example").GET());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.body()).isEqualTo(new String(OpenApiDocumentTest.BYTES, StandardCharsets.UTF_8));
        assertThat(crossSite.status()).as(crossSite.body()).isEqualTo(403);
        assertThat(crossSite.json().get("error").asText()).contains("cross-site request refused");
        assertThat(server.api.get("/info").status()).as("a data route still needs the key").isEqualTo(401);
    }

    /** Javalin's {@code <sub>} (a parameter that matches slashes too) is OpenAPI's {@code {sub}}. */
    static String openApiTemplate(String javalinPath) {
        return javalinPath.replaceAll("<([^>]+)>", "{$1}");
    }
}

package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.app.AuthSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC "Observability", {@code GET /openapi.json}, from a whole running server in keyed mode: served without a key, as
 * the document the unit tests validate and compare with the server's routes; refused, like every route but
 * {@code /health}, to a page of another site (SPEC "Authentication").
 */
@ExtendWith(DockerRequired.class)
class OpenApiIT {

    @Test
    void theDocumentIsServedWithoutAKeyAsTheValidatedOneButNotToPagesOfOtherSites() throws IOException {
        String document;
        try (InputStream in = OpenApiIT.class.getResourceAsStream("/openapi/openapi.json")) {
            assertThat(in).as("the document in the jar").isNotNull();
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Harness glambdar = Harness.start(config -> config.withAuth(AuthSettings.keyed("k".repeat(32))))) {
            assertThat(glambdar.get("/info").status()).as("the data stays keyed").isEqualTo(401);
            ApiClient.Response response = glambdar.get("/openapi.json");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            assertThat(response.body()).isEqualTo(document);
            JsonNode parsed = new ObjectMapper().readTree(response.body());
            assertThat(parsed.get("openapi").asText()).isEqualTo("3.1.0");
            assertThat(parsed.get("paths").fieldNames()).toIterable().contains("/deploy", "/invoke/{name}",
                    "/async/{name}", "/invocations/{id}", "/logs/{name}", "/metrics", "/openapi.json", "/schedules");

            glambdar.defaultHeader("Origin", "https://elsewhere.example");
            ApiClient.Response crossSite = glambdar.get("/openapi.json");
            assertThat(crossSite.status()).isEqualTo(403);
            assertThat(crossSite.body()).contains("cross-site request refused");
        }
    }
}

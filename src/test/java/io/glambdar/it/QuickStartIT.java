package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed README's quick start, steps 3-8, word for word against our server. */
@ExtendWith(DockerRequired.class)
class QuickStartIT {

    @Test
    void seedQuickStartGivesTheSeedResults() throws Exception {
        try (Harness glambdar = Harness.start()) {
            // 4. Deploy a function: the name comes from the zip's file name.
            ApiClient.Response deployed = glambdar.deploy("myfunc.zip", Zips.of(Zips.HELLO));
            assertThat(deployed.status()).isEqualTo(201);
            assertThat(deployed.json().get("function").asText()).isEqualTo("myfunc");
            assertThat(deployed.json().get("status").asText()).isEqualTo("deployed");
            assertThat(Files.readString(glambdar.dir.resolve("functions/myfunc/index.js"))).isEqualTo(Zips.HELLO);

            // 5. Invoke it.
            ApiClient.Response invoked = glambdar.invoke("myfunc", "{\"name\":\"Glambdar\"}",
                    "Content-Type", "application/json");
            assertThat(invoked.status()).isEqualTo(200);
            assertThat(invoked.body()).isEqualTo("{\"message\":\"Hello Glambdar!\"}");
            assertThat(invoked.header("Content-Type")).startsWith("application/json");
            assertThat(invoked.header("X-Glambdar-Invocation-Id")).isNotBlank();

            // 6. List deployed functions.
            JsonNode all = glambdar.get("/info").json();
            assertThat(all.get("count").asInt()).isEqualTo(1);
            JsonNode listed = all.get("functions").get(0);
            assertThat(listed.get("name").asText()).isEqualTo("myfunc");
            assertThat(listed.get("invokeCount").asLong()).isEqualTo(1);
            assertThat(Instant.parse(listed.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());
            assertThat(Instant.parse(listed.get("lastInvokedAt").asText()))
                    .isAfterOrEqualTo(Instant.parse(listed.get("createdAt").asText()));

            // 7. Get function details.
            ApiClient.Response one = glambdar.get("/info/myfunc");
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.json().get("name").asText()).isEqualTo("myfunc");
            assertThat(one.json().get("invokeCount").asLong()).isEqualTo(1);

            // 8. Delete it.
            ApiClient.Response deleted = glambdar.delete("/del/myfunc");
            assertThat(deleted.status()).isEqualTo(204);
            assertThat(deleted.body()).isEmpty();
            ApiClient.Response gone = glambdar.get("/info/myfunc");
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.json().get("error").asText()).contains("myfunc");
            assertThat(Files.exists(glambdar.dir.resolve("functions/myfunc"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            JsonNode empty = glambdar.get("/info").json();
            assertThat(empty.get("count").asInt()).isZero();
            assertThat(empty.get("functions").isArray()).isTrue();
            assertThat(empty.get("functions")).isEmpty();
            Eventually.noContainers(glambdar);
            // Its code goes once nothing runs it any more.
            Eventually.holds("the deleted function's code is removed", Duration.ofSeconds(30),
                    () -> !Files.exists(glambdar.dir.resolve("deployments/myfunc")));
        }
    }
}

package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;
import io.glambdar.it.ApiClient;
import io.glambdar.it.ApiClient.Response;
import io.glambdar.it.Zips;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the server really answers, checked against what {@code openapi.json} says it answers: for each route, the
 * status is one the document lists, the JSON body is valid by the document's schema for it (field names, types,
 * required fields, nulls), and the headers it marks required are there.
 */
class OpenApiResponsesTest {

    /** Where the document is registered for the validator; never fetched. */
    private static final String DOCUMENT_IRI = "https://glambdar.test/openapi.json";
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
            builder -> builder.schemas(Map.of(DOCUMENT_IRI,
                    new String(OpenApiDocumentTest.BYTES, StandardCharsets.UTF_8))));
    private static final String SCHEDULED_CONFIG = "{\"schedules\": [{\"cron\": \"0 3 * * *\", \"timezone\":"
            + " \"Europe/Berlin\"}]}";

    @TempDir
    Path dir;

    private TestApiServer server;
    private ApiClient api;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(AccessMode mode) {
        server = new TestApiServer(dir, mode);
        api = server.api;
    }

    @Test
    void functionsVersionsAndKeysAnswerAsDocumented() {
        start(AccessMode.open(true));
        byte[] scheduled = Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json", SCHEDULED_CONFIG));

        conforms(201, "POST", "/deploy", api.deploy("hello.zip", scheduled));
        conforms(409, "POST", "/deploy", api.deploy("hello.zip", scheduled));
        conforms(400, "POST", "/deploy", api.deploy("bad name.zip", scheduled));
        conforms(201, "PUT", "/deploy/{name}", api.update("hello", Zips.of(Zips.HELLO)));
        conforms(200, "GET", "/info", api.get("/info"));
        conforms(200, "GET", "/info/{name}", api.get("/info/hello"));
        conforms(404, "GET", "/info/{name}", api.get("/info/nobody"));
        conforms(400, "GET", "/info/{name}", api.get("/info/bad..name"));
        conforms(200, "GET", "/versions/{name}", api.get("/versions/hello"));
        conforms(200, "POST", "/rollback/{name}", api.post("/rollback/hello", "{\"version\": 1}"));
        conforms(400, "POST", "/rollback/{name}", api.post("/rollback/hello", "{\"version\": \"one\"}"));
        conforms(404, "POST", "/rollback/{name}", api.post("/rollback/hello", "")); //: none below version 1
        conforms(200, "GET", "/schedules", api.get("/schedules"));
        Response key = api.send(HttpRequest.newBuilder(api.uri("/keys/hello"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        conforms(201, "POST", "/keys/{name}", key);
        conforms(200, "GET", "/keys/{name}", api.get("/keys/hello"));
        String keyId = key.json().path("keyId").asText();
        conforms(204, "DELETE", "/keys/{name}/{keyId}", api.delete("/keys/hello/" + keyId));
        conforms(404, "DELETE", "/keys/{name}/{keyId}", api.delete("/keys/hello/nokey"));
        conforms(200, "GET", "/health", api.get("/health"));
        conforms(204, "DELETE", "/del/{name}", api.delete("/del/hello"));
        conforms(404, "DELETE", "/del/{name}", api.delete("/del/hello"));
    }

    @Test
    void invocationsAndTheirLogsAnswerAsDocumented() {
        start(AccessMode.open(true));
        api.deployOk("hello", Zips.of(Zips.HELLO));

        Response ok = api.invoke("hello", "{}");
        conforms(200, "POST", "/invoke/{name}", ok);
        conforms(200, "GET", "/invoke/{name}/{sub}", api.get("/invoke/hello/a/b?q=1"));
        conforms(404, "POST", "/invoke/{name}", api.invoke("nobody", "{}"));
        conforms(400, "POST", "/invoke/{name}", api.invoke("hello@x", "{}"));
        server.invoker.answer((fn, request) -> FakeInvoker.failed("inv-threw", Failure.FUNCTION_ERROR,
                "handler_threw"));
        conforms(502, "POST", "/invoke/{name}", api.invoke("hello", "{}"));
        server.invoker.answer((fn, request) -> FakeInvoker.failed("inv-late", Failure.TIMEOUT, "timeout"));
        conforms(504, "POST", "/invoke/{name}", api.invoke("hello", "{}"));
        server.invoker.answer((fn, request) -> FakeInvoker.failed("inv-busy", Failure.OVERLOADED, "overloaded"));
        conforms(429, "POST", "/invoke/{name}", api.invoke("hello", "{}"));

        conforms(200, "GET", "/logs/{name}", api.get("/logs/hello"));
        String id = ok.header("X-Glambdar-Invocation-Id");
        conforms(200, "GET", "/logs/{name}/{invocationId}", api.get("/logs/hello/" + id));
        conforms(404, "GET", "/logs/{name}/{invocationId}", api.get("/logs/hello/unknown"));
    }

    @Test
    void asynchronousInvocationsAnswerAsDocumented() {
        start(AccessMode.open(true));
        api.deployOk("hello", Zips.of(Zips.HELLO));

        Response accepted = api.send(HttpRequest.newBuilder(api.uri("/async/hello/sub"))
                .header("Idempotency-Key", "k1").POST(HttpRequest.BodyPublishers.ofString("{}")));
        conforms(202, "POST", "/async/{name}/{sub}", accepted);
        conforms(404, "POST", "/async/{name}", api.post("/async/nobody", "{}"));
        conforms(400, "POST", "/async/{name}", api.send(HttpRequest.newBuilder(api.uri("/async/hello"))
                .header("X-Glambdar-Callback-Url", "ftp://example.com").POST(HttpRequest.BodyPublishers.noBody())));
        String id = accepted.json().path("invocationId").asText();
        conforms(200, "GET", "/invocations", api.get("/invocations?function=hello&status=queued&limit=5"));
        conforms(400, "GET", "/invocations", api.get("/invocations?limit=0"));
        conforms(200, "GET", "/invocations/{id}", api.get("/invocations/" + id));
        conforms(409, "POST", "/invocations/{id}/retry", api.post("/invocations/" + id + "/retry", "")); //: queued
        conforms(204, "DELETE", "/invocations/{id}", api.delete("/invocations/" + id));
        conforms(200, "GET", "/invocations/{id}", api.get("/invocations/" + id)); // cancelled, with its error
        conforms(202, "POST", "/invocations/{id}/retry", api.post("/invocations/" + id + "/retry", ""));
        conforms(404, "DELETE", "/invocations/{id}", api.delete("/invocations/unknown"));
    }

    @Test
    void refusalsOfTheAccessPolicyAnswerAsDocumented() {
        start(AccessMode.keyed(AdminKey.of("admin-key-0123456789abcdef")));

        conforms(401, "GET", "/info", api.get("/info"));
        conforms(401, "POST", "/invoke/{name}", api.invoke("hello", "{}", "X-Glambdar-Key", "wrong"));
        conforms(403, "GET", "/info", api.send(HttpRequest.newBuilder(api.uri("/info"))
                .header("Authorization", "Bearer admin-key-0123456789abcdef")
                .header("Origin", "https://elsewhere.example").GET()));
        conforms(200, "GET", "/openapi.json", api.get("/openapi.json"));
        conforms(200, "GET", "/health", api.get("/health"));
        conforms(431, "GET", "/health", api.send(HttpRequest.newBuilder(api.uri("/health"))
                .header("X-Padding", "x".repeat(ApiServer.MAX_HEADER_BYTES)).GET()));
    }

    /**
     * The response is one the document lists for the operation, with its required headers, and a body as it says: valid
     * by its schema when JSON, none when it gives no content.
     */
    private static void conforms(int expectedStatus, String method, String template, Response response) {
        String where = method + " " + template + " → " + response.status() + " " + response.body();
        assertThat(response.status()).as(where).isEqualTo(expectedStatus);
        OpenApiOperations.Operation operation = OpenApiOperations.of(OpenApiDocumentTest.DOCUMENT).stream()
                .filter(candidate -> candidate.method().equals(method) && candidate.path().equals(template))
                .findFirst().orElseThrow(() -> new AssertionError("no operation " + method + " " + template));
        JsonNode responses = operation.node().path("responses");
        String status = Integer.toString(response.status());
        assertThat(responses.has(status) || responses.has("default")).as("%s: a documented status", where).isTrue();
        String pointer = pointerOf(operation) + "/responses/" + (responses.has(status) ? status : "default");
        pointer = followRefs(pointer);
        JsonNode documented = OpenApiDocumentTest.DOCUMENT.at(pointer);

        documented.path("headers").properties().forEach(header -> {
            if (OpenApiDocumentTest.resolve(header.getValue()).path("required").asBoolean()) {
                assertThat(response.header(header.getKey())).as("%s: header %s", where, header.getKey()).isNotNull();
            }
        });
        JsonNode content = documented.path("content");
        if (content.has("application/json")) {
            assertThat(response.header("Content-Type")).as(where).startsWith("application/json");
            List<Error> errors = SCHEMAS.getSchema(SchemaLocation.of(DOCUMENT_IRI + "#"
                            + pointer + "/content/application~1json/schema"))
                    .validate(response.json());
            List<String> messages = new ArrayList<>();
            errors.forEach(error -> messages.add(error.getInstanceLocation() + ": " + error.getMessage()));
            assertThat(messages).as("%s: the body by the document's schema", where).isEmpty();
        } else if (content.isMissingNode()) {
            assertThat(response.body()).as("%s: no body", where).isEmpty();
        }
    }

    /** JSON pointer of the operation in the document. */
    private static String pointerOf(OpenApiOperations.Operation operation) {
        String path = "/paths/" + escape(operation.path());
        return OpenApiOperations.isStandardMethod(operation.method())
                ? path + "/" + operation.method().toLowerCase(java.util.Locale.ROOT)
                : path + "/" + OpenApiOperations.QUERY_EXTENSION;
    }

    private static String followRefs(String pointer) {
        String current = pointer;
        JsonNode node = OpenApiDocumentTest.DOCUMENT.at(current);
        while (node.has("$ref")) {
            current = node.path("$ref").asText().substring(1);
            node = OpenApiDocumentTest.DOCUMENT.at(current);
        }
        return current;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}

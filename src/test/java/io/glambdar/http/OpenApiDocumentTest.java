package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.glambdar.http.auth.Route;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document served at {@code GET /openapi.json}, on its own: valid OpenAPI 3.1 by the official schema and
 * by a parser, every reference resolves, and every operation says what it is, how it is secured and how it fails.
 * That it describes exactly the server's routes is {@code OpenApiRoutesTest}.
 */
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The official schema of OpenAPI 3.1 documents, with the schemas inside them checked as OpenAPI's dialect. */
    private static final String OAS_31_SCHEMA = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07";
    private static final String OAS_PREFIX = "https://spec.openapis.org/oas/3.1/";

    static final byte[] BYTES = OpenApiHandler.load();
    static final JsonNode DOCUMENT = parse(BYTES);

    /** The official OpenAPI 3.1 schema, from the classpath. */
    private static Schema officialSchema() {
        // vertx-openapi ships the official schema files (spec.openapis.org/oas/3.1/...); nothing is fetched.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaIdResolvers(resolvers -> resolvers.mapPrefix(OAS_PREFIX,
                        "classpath:spec.openapis.org/oas/3.1/")));
        return registry.getSchema(SchemaLocation.of(OAS_31_SCHEMA));
    }

    @Test
    void isValidByTheOfficialOpenApi31Schema() {
        Schema schema = officialSchema();

        List<Error> errors = schema.validate(DOCUMENT);

        assertThat(errors).as("openapi.json against %s", OAS_31_SCHEMA).isEmpty();
        assertThat(DOCUMENT.path("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void theOfficialSchemaCatchesAnInvalidDocument() {
        // The check above would pass vacuously if the schema loaded as "anything goes": it must refuse a broken copy.
        Schema schema = officialSchema();
        ObjectNode broken = DOCUMENT.deepCopy();
        ((ObjectNode) broken.path("paths").path("/health").path("get")).put("security", "none");
        ((ObjectNode) broken.path("info")).remove("title");

        assertThat(schema.validate(broken)).extracting(error -> error.getInstanceLocation() + " " + error.getMessage())
                .anySatisfy(error -> assertThat(error).contains("security"))
                .anySatisfy(error -> assertThat(error).contains("title"));
    }

    @Test
    void parsesAsOpenApi31WithNoMessages() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser()
                .readContents(new String(BYTES, StandardCharsets.UTF_8), null, options);

        assertThat(result.getMessages()).as("swagger-parser's messages").isEmpty();
        assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(result.getOpenAPI().getPaths()).hasSize(DOCUMENT.path("paths").size());
    }

    @Test
    void everyReferenceResolvesInsideTheDocument() {
        List<String> refs = new ArrayList<>();
        collectRefs(DOCUMENT, refs);

        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).as("only local references").startsWith("#/");
            assertThat(DOCUMENT.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        });
    }

    @Test
    void everyComponentIsUsed() {
        List<String> refs = new ArrayList<>();
        collectRefs(DOCUMENT, refs);
        Set<String> unused = new TreeSet<>();
        DOCUMENT.path("components").properties().forEach(kind -> {
            if (!kind.getKey().equals("securitySchemes")) {
                kind.getValue().fieldNames().forEachRemaining(name -> {
                    String ref = "#/components/" + kind.getKey() + "/" + name;
                    if (!refs.contains(ref)) {
                        unused.add(ref);
                    }
                });
            }
        });

        assertThat(unused).as("components nothing refers to").isEmpty();
    }

    @Test
    void everyOperationHasAUniqueIdASummaryATagASuccessAndItsErrors() {
        Set<String> ids = new HashSet<>();
        List<OpenApiOperations.Operation> operations = OpenApiOperations.of(DOCUMENT);
        assertThat(operations).hasSizeGreaterThan(30);

        for (OpenApiOperations.Operation operation : operations) {
            JsonNode node = operation.node();
            String where = operation.method() + " " + operation.path();
            assertThat(node.path("operationId").asText()).as("operationId of %s", where).isNotBlank();
            assertThat(ids.add(node.path("operationId").asText())).as("operationId of %s is unique", where).isTrue();
            assertThat(node.path("summary").asText()).as("summary of %s", where).isNotBlank();
            assertThat(node.path("tags").size()).as("tags of %s", where).isEqualTo(1);
            Set<String> statuses = new TreeSet<>();
            node.path("responses").fieldNames().forEachRemaining(statuses::add);
            assertThat(statuses).as("responses of %s", where)
                    .anyMatch(status -> status.startsWith("2"))
                    .contains("431"); // any request: headers too large
            if (!operation.security().isEmpty()) { // keyed mode: a missing or wrong key, a key for something else
                assertThat(statuses).as("responses of %s", where).contains("401", "403");
            }
            if (!where.equals("GET /health")) { // a page of another site: refused on every other route
                assertThat(statuses).as("responses of %s", where).contains("403");
            }
            if (operation.path().contains("{name}")) { // a bad function name
                assertThat(statuses).as("responses of %s", where).contains("400");
            }
            if (operation.path().contains("{id}") || operation.path().contains("{keyId}")
                    || operation.path().contains("{invocationId}")) { // an unknown one
                assertThat(statuses).as("responses of %s", where).contains("404");
            }
        }
    }

    @Test
    void everyMethodOfAnInvocationRouteIsDescribedAlike() {
        // 18 operations written out one by one (OpenAPI has no "any method"): none may fall behind the others.
        List<OpenApiOperations.Operation> invocations = OpenApiOperations.of(DOCUMENT).stream()
                .filter(operation -> operation.path().startsWith("/invoke/"))
                .toList();
        OpenApiOperations.Operation post = invocations.stream()
                .filter(operation -> operation.method().equals("POST") && operation.path().equals("/invoke/{name}"))
                .findFirst().orElseThrow();
        assertThat(invocations).extracting(OpenApiOperations.Operation::method).hasSize(18)
                .containsOnly("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY");

        for (OpenApiOperations.Operation operation : invocations) {
            String where = operation.method() + " " + operation.path();
            List<String> statuses = new ArrayList<>();
            operation.node().path("responses").fieldNames().forEachRemaining(statuses::add);
            List<String> postStatuses = new ArrayList<>();
            post.node().path("responses").fieldNames().forEachRemaining(postStatuses::add);
            assertThat(statuses).as("statuses of %s", where).isEqualTo(postStatuses);
            assertThat(operation.node().path("security")).as("security of %s", where)
                    .isEqualTo(post.node().path("security"));
            assertThat(operation.node().path("parameters")).as("parameters of %s", where)
                    .isEqualTo(post.node().path("parameters"));
        }
    }

    @Test
    void everyErrorIsJsonWithAnErrorMessage() {
        for (OpenApiOperations.Operation operation : OpenApiOperations.of(DOCUMENT)) {
            operation.node().path("responses").properties().forEach(response -> {
                String status = response.getKey();
                if (status.startsWith("4") || status.startsWith("5")) {
                    JsonNode resolved = resolve(response.getValue());
                    JsonNode schema = resolve(resolved.path("content").path("application/json").path("schema"));
                    assertThat(resolved.path("content").size()).as("%s %s %s: JSON only", operation.method(),
                            operation.path(), status).isEqualTo(1);
                    assertThat(errorSchemas(schema)).as("%s %s %s", operation.method(), operation.path(), status)
                            .isNotEmpty().allSatisfy(error ->
                                    assertThat(error.path("required")).extracting(JsonNode::asText)
                                            .contains("error"));
                }
            });
        }
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryDeclaredOneIsInThePath() {
        Pattern template = Pattern.compile("\\{([^}]+)}");
        for (OpenApiOperations.Operation operation : OpenApiOperations.of(DOCUMENT)) {
            Set<String> inPath = new TreeSet<>();
            Matcher matcher = template.matcher(operation.path());
            while (matcher.find()) {
                inPath.add(matcher.group(1));
            }
            Set<String> declared = new TreeSet<>();
            for (JsonNode parameters : List.of(DOCUMENT.path("paths").path(operation.path()).path("parameters"),
                    operation.node().path("parameters"))) {
                for (JsonNode parameter : parameters) {
                    JsonNode resolved = resolve(parameter);
                    if (resolved.path("in").asText().equals("path")) {
                        assertThat(resolved.path("required").asBoolean()).isTrue();
                        declared.add(resolved.path("name").asText());
                    }
                }
            }

            assertThat(declared).as("path parameters of %s %s", operation.method(), operation.path())
                    .isEqualTo(inPath);
        }
    }

    @Test
    void everyOperationIsSecuredAsTheAccessPolicySays() {
        JsonNode invokeSecurity = JSON.valueToTree(List.of(java.util.Map.of("adminKey", List.of()),
                java.util.Map.of("invokeKey", List.of()), java.util.Map.of("invokeKeyHeader", List.of()),
                java.util.Map.of()));
        assertThat(DOCUMENT.path("security")).isEqualTo(JSON.valueToTree(List.of(java.util.Map.of("adminKey",
                List.of()))));
        for (OpenApiOperations.Operation operation : OpenApiOperations.of(DOCUMENT)) {
            // A path of the template, with each parameter filled in, as the access filter sees it.
            String path = operation.path().replaceAll("\\{([^}]+)}", "$1-1");
            JsonNode declared = operation.node().get("security");
            String where = operation.method() + " " + operation.path();

            switch (Route.classify(operation.method(), path)) {
                case Route.Exempt exempt -> assertThat(declared).as("%s needs no key", where)
                        .isEqualTo(JSON.createArrayNode());
                case Route.Invocation invocation -> assertThat(declared)
                        .as("%s takes the admin key, an invoke key or none (public)", where).isEqualTo(invokeSecurity);
                case Route.Control control -> assertThat(declared).as("%s takes the admin key (the default)", where)
                        .isNull();
            }
        }
    }

    /** Error and InvocationError, through an anyOf or not. */
    private static List<JsonNode> errorSchemas(JsonNode schema) {
        if (schema.has("anyOf")) {
            List<JsonNode> all = new ArrayList<>();
            schema.path("anyOf").forEach(choice -> all.addAll(errorSchemas(resolve(choice))));
            return all;
        }
        return List.of(schema);
    }

    static JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        while (current.has("$ref")) {
            current = DOCUMENT.at(current.path("$ref").asText().substring(1));
        }
        return current;
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("$ref") && field.getValue().isTextual()) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectRefs(element, refs));
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The operations of an OpenAPI 3.1 document: one per (method, path template). */
final class OpenApiOperations {

    /** The methods OpenAPI 3.1 has a field for in a path item. */
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    /**
     * The operation of the QUERY method, which OpenAPI 3.1 has no field for: an extension, named as OpenAPI 3.2's field
     * for it ({@code query}).
     */
    static final String QUERY_EXTENSION = "x-query";

    /**
     * @param method upper case
     * @param path   the path template, {@code /invoke/{name}}
     */
    record Operation(String method, String path, JsonNode node) {

        /** The operation's own security, or the document's when it has none. */
        JsonNode security() {
            return node.has("security") ? node.get("security") : OpenApiDocumentTest.DOCUMENT.path("security");
        }
    }

    private OpenApiOperations() {
    }

    /** Whether OpenAPI 3.1 has a field for the method (upper case). */
    static boolean isStandardMethod(String method) {
        return METHODS.contains(method.toLowerCase(Locale.ROOT));
    }

    static List<Operation> of(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(field -> {
            if (METHODS.contains(field.getKey())) {
                operations.add(new Operation(field.getKey().toUpperCase(Locale.ROOT), path.getKey(), field.getValue()));
            } else if (field.getKey().equals(QUERY_EXTENSION)) {
                operations.add(new Operation("QUERY", path.getKey(), field.getValue()));
            }
        }));
        return operations;
    }
}

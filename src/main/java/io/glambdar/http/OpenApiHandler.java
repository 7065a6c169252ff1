package io.glambdar.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 document of this API, a resource of the jar written by hand beside the
 * routes ({@code OpenApiDocumentTest} validates it and checks it against the routes the server really has). Read once:
 * it cannot change while the server runs.
 */
final class OpenApiHandler {

    static final String ROUTE = "/openapi.json";
    static final String RESOURCE = "/openapi/openapi.json";

    private final byte[] document;

    OpenApiHandler() {
        this.document = load();
    }

    void handle(Context ctx) {
        ctx.contentType("application/json").result(document);
    }

    /** The document as the jar holds it; a jar without it is a broken build, not a request's problem. */
    static byte[] load() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the resource " + RESOURCE, e);
        }
    }
}

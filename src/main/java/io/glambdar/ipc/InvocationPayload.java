package io.glambdar.ipc;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to hand to the function.
 *
 * @param id      the invocation id; the worker's reply must carry the same one
 * @param path    the sub-path after {@code /invoke/<name>}, {@code "/"} when there is none
 * @param query   the raw query string without '?', "" when there is none (the worker gives the function both this, as
 *                {@code req.rawQuery}, and its decoded form, as {@code req.query})
 * @param headers request headers; names are sent lower-cased (the function sees them so), repeated ones as arrays
 * @param body    the raw request body
 */
public record InvocationPayload(String id, String method, String path, String query,
                                Map<String, List<String>> headers, byte[] body) {

    public InvocationPayload {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        headers = headers == null ? Map.of() : headers;
        body = body == null ? new byte[0] : body;
    }
}

package io.glambdar.store.jobs;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is needed to replay an asynchronous invocation, as it was accepted by {@code POST /async/:name}.
 *
 * @param method  the HTTP method, as received
 * @param path    the sub-path after the function's name, {@code "/"} when there is none
 * @param query   the raw query string without '?', "" when there is none
 * @param headers lower-case names; a repeated header has several values
 * @param body    the request body (possibly empty, never null); not copied, so do not change it
 */
public record JobRequest(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {

    public JobRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? "" : query;
        headers = headers == null ? Map.of() : headers;
        body = body == null ? new byte[0] : body;
    }
}

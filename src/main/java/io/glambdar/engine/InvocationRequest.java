package io.glambdar.engine;

import java.util.List;
import java.util.Map;

/**
 * The HTTP request that invoked a function, as the function will see it.
 *
 * @param method  the HTTP method, as received
 * @param path    the sub-path after {@code /invoke/<name>} as received (percent-encoding kept), {@code "/"} when there
 *                is none
 * @param query   the raw query string without '?', "" when there is none
 * @param headers lower-case names; a repeated header has several values
 */
public record InvocationRequest(String method, String path, String query, Map<String, List<String>> headers,
                                byte[] body) {
}

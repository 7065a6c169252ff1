package io.glambdar.engine;

import java.util.List;
import java.util.Map;

/**
 * The HTTP request that invoked a function, as the function will see it.
 *
 * @param headers lower-case names; a repeated header has several values
 */
public record InvocationRequest(String method, String path, String query, Map<String, List<String>> headers,
                                byte[] body) {
}

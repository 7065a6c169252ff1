package io.glambdar.store.jobs;

import java.util.List;
import java.util.Map;

/**
 * The response a successful attempt returned.
 *
 * @param headers as the function returned them; a repeated header has several values
 * @param body    never null; not copied, so do not change it
 */
public record JobResult(int statusCode, Map<String, List<String>> headers, byte[] body) {

    public JobResult {
        headers = headers == null ? Map.of() : headers;
        body = body == null ? new byte[0] : body;
    }
}

package io.glambdar.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.glambdar.store.DeployRejectedException;
import io.javalin.http.Context;

/** The optional body of {@code POST /rollback/:name}: {@code {"version": N}}, or nothing for "the one before". */
final class RollbackRequest {

    private static final String USAGE = "send no body to roll back to the version before the active one, or"
            + " {\"version\": N} to make version N active";

    private RollbackRequest() {
    }

    /** @return the version asked for, or null for the default */
    static Integer version(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode json;
        try {
            // One JSON value and nothing after it: {"version":2}{"x":1} is not one value.
            json = ApiServer.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (java.io.IOException e) {
            throw DeployRejectedException.badRequest("the body is not valid JSON, or has more after its JSON value; " + USAGE);
        }
        if (json == null || !json.isObject()) {
            throw DeployRejectedException.badRequest("the body must be a JSON object; " + USAGE);
        }
        for (String field : (Iterable<String>) json::fieldNames) {
            if (!field.equals("version")) {
                throw DeployRejectedException.badRequest("unknown field " + DeployRejectedException.quote(field)
                        + " in the body: \"version\" is the only one; " + USAGE);
            }
        }
        JsonNode version = json.get("version");
        if (version == null || version.isNull()) {
            return null;
        }
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() < 1) {
            throw DeployRejectedException.badRequest("\"version\" must be a whole number of at least 1, got "
                    + DeployRejectedException.quote(version.toString()) + "; " + USAGE);
        }
        return version.intValue();
    }
}

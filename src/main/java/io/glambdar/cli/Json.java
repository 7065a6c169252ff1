package io.glambdar.cli;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * JSON for the client, with jackson-jr: maps and lists, without databind's reflection, whose start-up alone would
 * take more than a client command's whole budget.
 */
final class Json {

    private Json() {
    }

    static Object parse(byte[] json) {
        try {
            return JSON.std.anyFrom(json);
        } catch (IOException e) {
            throw new ClientException("the server's answer is not JSON: " + Text.oneLine(e.getMessage()), e);
        }
    }

    static Object parse(String json) {
        try {
            return JSON.std.anyFrom(json);
        } catch (IOException e) {
            throw new ClientException("the server sent a line that is not JSON: " + Text.oneLine(e.getMessage()), e);
        }
    }

    /** {@code json} as an object; anything else is the server's mistake, said in one line. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object json) {
        if (json instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new ClientException("the server's answer is not a JSON object");
    }

    /** The list at {@code field} of {@code json}; empty when it is missing. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(Map<String, Object> json, String field) {
        Object value = json.get(field);
        return value instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    static String write(Object value) {
        try {
            return JSON.std.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

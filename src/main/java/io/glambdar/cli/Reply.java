package io.glambdar.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The server's answer to one request: status, headers (names lower-case) and the body's raw bytes. */
record Reply(int status, Map<String, List<String>> headers, byte[] body) {

    boolean failed() {
        return status >= 400;
    }

    /** The first value of header {@code name} (lower-case), or null. */
    String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    Map<String, Object> json() {
        return Json.object(Json.parse(body));
    }

    /**
     * This reply, if it succeeded; otherwise the server's {@code error} on one line, with the status (and, when the
     * body is a JSON error, the body for {@code --json}).
     */
    Reply orThrow() {
        if (failed()) {
            throw serverError("");
        }
        return this;
    }

    /** This failed reply as the server's error: its {@code error} on one line, the status, then {@code detail}. */
    ClientException serverError(String detail) {
        String message = errorText() + " (" + status + ")" + keyHint() + detail;
        return jsonError() == null ? new ClientException(message) : new ClientException(message, body);
    }

    /**
     * For Glambdar's own refusal of a missing or wrong key (its challenge names its realm; a function's own 401 does
     * not), how to give one to this client: the server's message speaks of headers, which a command does not take.
     */
    private String keyHint() {
        String challenge = header("www-authenticate");
        return status == 401 && challenge != null && challenge.contains("realm=\"glambdar\"")
                ? "; give the key with --key <key> or GLAMBDAR_KEY" : "";
    }

    /**
     * The server's {@code {"error": "..."}} message; for a body that is not one (a function's own 4xx or 5xx answer,
     * or a proxy's page), its first line, or the bare status.
     */
    String errorText() {
        String error = jsonError();
        if (error != null) {
            return Text.oneLine(error);
        }
        String text = text().strip();
        String firstLine = Text.oneLine(text.lines().findFirst().orElse(""));
        return firstLine.isEmpty() ? "HTTP " + status : firstLine;
    }

    /**
     * Whether this failed answer to an invocation is the function's own: it carries the invocation's id, and is not
     * the server's failure of that invocation ({@code {"error", "code", "invocationId"}} for the same id: 502 handler
     * threw, 504 timed out, 429, 503, 404 deleted while it waited). The server's other errors (unknown function, a
     * missing key, a body too large) carry no invocation id: no invocation started.
     */
    boolean fromFunction() {
        String invocationId = header("x-glambdar-invocation-id");
        if (invocationId == null) {
            return false;
        }
        if (jsonError() == null) {
            return true;
        }
        Map<String, Object> error = json();
        return !(error.get("code") instanceof String && invocationId.equals(error.get("invocationId")));
    }

    /** The {@code error} field of a JSON object body, or null when the body is no such thing. */
    String jsonError() {
        if (body.length == 0 || body[0] != '{') {
            return null;
        }
        try {
            return json().get("error") instanceof String error ? error : null;
        } catch (ClientException e) {
            return null;
        }
    }
}

package io.glambdar.ipc;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON shape of each protocol message, both ways, with {@link ReplyLimits} applied to what the worker sent. Frame
 * size is limited by {@link Frames}, not here.
 */
final class Messages {

    // Bodies travel as one JSON string, far past Jackson's default 20M-character limit; the frame limit bounds them.
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Messages() {
    }

    /** @param rehearsal marks the rehearsal: the worker runs it with a stand-in for the function's handler */
    static byte[] encodeInvoke(InvocationPayload payload, boolean rehearsal) {
        ObjectNode message = MAPPER.createObjectNode();
        message.put("type", "invoke");
        message.put("id", payload.id());
        if (rehearsal) {
            message.put("rehearsal", true);
        }
        ObjectNode request = message.putObject("request");
        request.put("method", payload.method());
        request.put("path", payload.path());
        request.put("query", payload.query());
        ObjectNode headers = request.putObject("headers");
        lowerCased(payload.headers()).forEach((name, values) -> {
            if (values.size() == 1) {
                headers.put(name, values.getFirst());
            } else {
                ArrayNode array = headers.putArray(name);
                values.forEach(array::add);
            }
        });
        String text = utf8OrNull(payload.body());
        if (text != null) {
            request.put("body", text);
        } else {
            request.put("bodyBase64", Base64.getEncoder().encodeToString(payload.body()));
        }
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot encode an invoke message", e); // a tree of strings always encodes
        }
    }

    /** Decodes the hello, its texts cut to the limits. */
    static WorkerHello decodeHello(byte[] frame, ReplyLimits limits) throws ProtocolException {
        JsonNode message = parse(frame, "hello");
        String type = text(message, "type", "hello");
        return switch (type) {
            case "ready" -> new WorkerHello(true, optionalText(message, "node", "hello"), null, null, null,
                    logs(message, "hello", limits), bounded(optionalText(message, "warmup", "hello")),
                    memoryFigure(message, "heapLimit"));
            case "init_error" -> new WorkerHello(false, optionalText(message, "node", "hello"),
                    bounded(text(message, "code", "init_error")), bounded(text(message, "message", "init_error")),
                    bounded(optionalText(message, "stack", "init_error")), logs(message, "init_error", limits), null,
                    null);
            default -> throw new ProtocolException(
                    "expected the worker's hello (type ready or init_error), got type " + SafeText.quoted(type));
        };
    }

    /**
     * Decodes what the worker sends while an invocation runs: a piece of its output ({@link Printed}), or its reply
     * and whether it said it is exiting after it ({@code "fatal": true}) ({@link Decoded}). A reply that breaks
     * {@code limits} in its content (body size, headers) becomes a {@link WorkerReply.Failure}; its texts are cut. The
     * reply's logs are {@code printed}: what the log frames before it brought.
     */
    static Incoming decodeIncoming(byte[] frame, String expectedId, ReplyLimits limits, PrintedLogs printed)
            throws ProtocolException {
        JsonNode message = parse(frame, "reply");
        String type = text(message, "type", "reply");
        if (!type.equals("result") && !type.equals("error") && !type.equals("log")) {
            throw new ProtocolException("expected a reply (type result or error) or a log message, got type "
                    + SafeText.quoted(type));
        }
        String id = text(message, "id", type);
        if (!id.equals(expectedId)) {
            throw new ProtocolException("the worker " + (type.equals("log") ? "sent output" : "replied") + " for invocation "
                    + SafeText.quoted(id) + ", expected \"" + expectedId + "\"");
        }
        if (type.equals("log")) {
            return printed(message);
        }
        boolean fatal = message.path("fatal").asBoolean(false);
        String logs = printed.logs(droppedLogBytes(message));
        Long maxRss = maxRss(message);
        WorkerReply reply = type.equals("error") ? error(message, id, logs, maxRss)
                : result(message, id, logs, maxRss, limits);
        return new Decoded(reply, fatal);
    }

    /** A log message: {@code {"type": "log", "id", "stream": "stdout" | "stderr", "text"}}. */
    private static Printed printed(JsonNode message) throws ProtocolException {
        String name = text(message, "stream", "log");
        LogStream stream = LogStream.named(name);
        if (stream == null) {
            throw new ProtocolException("log message stream must be stdout or stderr, got " + SafeText.quoted(name));
        }
        // As is: PrintedLogs keeps its start and end within the limit, OutputBudget what is shown live.
        return new Printed(stream, text(message, "text", "log"));
    }

    /** How many bytes of output the worker left out of its log frames (over its limit): a whole number, else 0. */
    private static long droppedLogBytes(JsonNode message) {
        JsonNode value = message.get("droppedLogBytes");
        return value != null && value.isIntegralNumber() && value.canConvertToLong() ? Math.max(0, value.longValue())
                : 0;
    }

    /**
     * The peak memory the worker reports, in bytes: a whole number from 0 to {@link ReplyLimits#MAX_RSS_BYTES}, else
     * null. Only a figure for the user to read, so a wrong one is dropped rather than refused.
     */
    private static Long maxRss(JsonNode message) {
        return memoryFigure(message, "maxRss");
    }

    private static Long memoryFigure(JsonNode message, String field) {
        JsonNode value = message.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            return null;
        }
        long bytes = value.longValue();
        return bytes >= 0 && bytes <= ReplyLimits.MAX_RSS_BYTES ? bytes : null;
    }

    /** What the worker sends during an invocation. */
    sealed interface Incoming permits Printed, Decoded {
    }

    /** A piece of output, cut to the limit for logs. */
    record Printed(LogStream stream, String text) implements Incoming {
    }

    private static WorkerReply error(JsonNode message, String id, String logs, Long maxRss)
            throws ProtocolException {
        return new WorkerReply.Failure(id, bounded(text(message, "code", "error")),
                bounded(text(message, "message", "error")), bounded(optionalText(message, "stack", "error")), logs,
                maxRss);
    }

    /** A result, or the failure it is when its body or headers break {@code limits}. */
    private static WorkerReply result(JsonNode message, String id, String logs, Long maxRss, ReplyLimits limits)
            throws ProtocolException {
        JsonNode status = message.get("statusCode");
        if (status == null || !status.canConvertToInt() || !status.isIntegralNumber()
                || status.intValue() < 100 || status.intValue() > 599) {
            throw new ProtocolException("result has no statusCode from 100 to 599 (got "
                    + SafeText.quoted(String.valueOf(status)) + ")");
        }
        if (status.intValue() < 200) { // a 1xx announces a response to come; the handler returned it as the final one
            return new WorkerReply.Failure(id, WorkerReply.Failure.BAD_RETURN, "statusCode " + status.intValue()
                    + " is an informational (1xx) status, which cannot be the final status of a response; return a"
                    + " statusCode from 200 to 599", null, logs, maxRss);
        }
        Map<String, List<String>> headersAsSent = headers(message.get("headers"));
        byte[] body = body(message);
        if (body.length > limits.maxBodyBytes()) {
            return new WorkerReply.Failure(id, WorkerReply.Failure.RESPONSE_TOO_LARGE,
                    bodyTooLarge(body.length, limits.maxBodyBytes()), null, logs, maxRss);
        }
        try {
            return new WorkerReply.Success(id, status.intValue(), ResponseHeaders.check(headersAsSent, limits), body,
                    logs, maxRss);
        } catch (ResponseHeaders.Invalid e) {
            return new WorkerReply.Failure(id, WorkerReply.Failure.INVALID_HEADER, e.getMessage(), null, logs, maxRss);
        }
    }

    record Decoded(WorkerReply reply, boolean fatal) implements Incoming {
    }

    private static JsonNode parse(byte[] frame, String what) throws ProtocolException {
        JsonNode message;
        try {
            message = MAPPER.readTree(frame);
        } catch (IOException e) {
            throw new ProtocolException("the worker's " + what + " is not valid JSON: " + e.getMessage(), e);
        }
        if (message == null || !message.isObject()) {
            throw new ProtocolException("the worker's " + what + " is not a JSON object");
        }
        return message;
    }

    private static String text(JsonNode message, String field, String what) throws ProtocolException {
        String value = optionalText(message, field, what);
        if (value == null) {
            throw new ProtocolException(what + " message has no \"" + field + "\" field");
        }
        return value;
    }

    private static String optionalText(JsonNode message, String field, String what) throws ProtocolException {
        JsonNode value = message.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ProtocolException(what + " message field \"" + field + "\" is not a string: "
                    + SafeText.quoted(value.toString()));
        }
        return value.textValue();
    }

    private static String logs(JsonNode message, String what, ReplyLimits limits) throws ProtocolException {
        String logs = optionalText(message, "logs", what);
        return logs == null ? "" : Utf8Text.truncate(logs, limits.maxLogBytes());
    }

    /** An error's code, message or stack, or the warm-up note, cut to {@link ReplyLimits#MAX_TEXT_BYTES}. */
    private static String bounded(String text) {
        return text == null ? null : Utf8Text.truncate(text, ReplyLimits.MAX_TEXT_BYTES);
    }

    private static String bodyTooLarge(long bytes, int maxBytes) {
        return "the response body is " + bytes + " bytes, over the server's limit of " + maxBytes
                + " bytes (GLAMBDAR_MAX_RESPONSE_MB); return a smaller body, or raise that limit";
    }

    /** The headers' JSON shape: names as sent (checked by {@link ResponseHeaders}), each with its string values. */
    private static Map<String, List<String>> headers(JsonNode node) throws ProtocolException {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new ProtocolException("result headers are not a JSON object: " + node);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            List<String> values = new ArrayList<>();
            for (JsonNode item : value.isArray() ? value : List.of(value)) {
                if (!item.isTextual()) {
                    throw new ProtocolException("result header " + SafeText.quoted(field.getKey())
                            + " has a non-string value: " + SafeText.quoted(value.toString()));
                }
                values.add(item.textValue());
            }
            headers.put(field.getKey(), values);
        }
        return headers;
    }

    private static byte[] body(JsonNode message) throws ProtocolException {
        String body = text(message, "body", "result");
        String encoding = text(message, "bodyEncoding", "result");
        return switch (encoding) {
            case "utf8" -> body.getBytes(StandardCharsets.UTF_8);
            case "base64" -> {
                try {
                    yield Base64.getDecoder().decode(body);
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException("result body is not valid base64: " + e.getMessage(), e);
                }
            }
            default -> throw new ProtocolException("result bodyEncoding must be utf8 or base64, got "
                    + SafeText.quoted(encoding));
        };
    }

    /** Lower-cased names (the function sees them so), null values dropped, headers differing only in case merged. */
    private static Map<String, List<String>> lowerCased(Map<String, List<String>> headers) {
        Map<String, List<String>> merged = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (name == null || values == null) {
                return;
            }
            for (String value : values) {
                if (value != null) {
                    merged.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
                }
            }
        });
        return merged;
    }

    /** The body as a string when it is valid UTF-8, so the function gets the exact bytes back; else null. */
    private static String utf8OrNull(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

package io.glambdar.ipc;

/**
 * What a worker may send back, enforced on the Java side: the worker runs the function's code, so it can send anything.
 * Content over a limit is answered or cut as described per field; a frame too long to hold any legitimate message is a
 * {@link ProtocolException}.
 *
 * @param maxBodyBytes   largest response body, in bytes; over it the reply becomes a {@code response_too_large} failure
 *                       (SPEC: {@code GLAMBDAR_MAX_RESPONSE_MB}; worker.js gets it in {@code GLAMBDAR_MAX_RESPONSE_BYTES})
 * @param maxLogBytes    most UTF-8 bytes of logs per message, truncation marker included; longer logs are cut
 * @param maxHeaderCount most response header values; more is an {@code invalid_header} failure
 * @param maxHeaderBytes most UTF-8 bytes of response header names and values together (a name counts once per value);
 *                       more is an {@code invalid_header} failure
 */
public record ReplyLimits(int maxBodyBytes, int maxLogBytes, int maxHeaderCount, int maxHeaderBytes) {

    /** SPEC's 6 MiB body, and the 64 KiB of logs that worker.js keeps: what an invocation's record keeps too. */
    public static final ReplyLimits DEFAULTS = new ReplyLimits(6 * 1024 * 1024, 64 * 1024, 100, 64 * 1024);

    /** Error messages, stacks and the warm-up note are each cut to this many UTF-8 bytes (worker.js does the same). */
    public static final int MAX_TEXT_BYTES = 64 * 1024;

    /**
     * Largest peak memory figure a reply may report, 1 TiB: far above any container's limit, so a larger (or negative,
     * fractional, non-numeric) {@code maxRss} is a lie and is ignored.
     */
    public static final long MAX_RSS_BYTES = 1L << 40;

    /** Longest frame this protocol allows, whatever the limits: keeps every size an int with room to spare. */
    static final int MAX_FRAME_BYTES = 1024 * 1024 * 1024;

    // A byte of text can take 6 bytes in JSON ("\u001f"), and a hostile worker may escape every character.
    private static final int JSON_ESCAPE_BYTES = 6;
    // Quotes, colon, brackets and comma around one header value, at most.
    private static final int HEADER_VALUE_SYNTAX_BYTES = 8;
    // type, id, statusCode, code, bodyEncoding, fatal, node, the field names and the JSON punctuation.
    private static final int ENVELOPE_BYTES = 4 * 1024;

    public ReplyLimits {
        requirePositive("maxBodyBytes", maxBodyBytes);
        requirePositive("maxHeaderCount", maxHeaderCount);
        requirePositive("maxHeaderBytes", maxHeaderBytes);
        if (maxLogBytes < Utf8Text.MARKER_ROOM) {
            throw new IllegalArgumentException("maxLogBytes must be at least " + Utf8Text.MARKER_ROOM
                    + " (room for the truncation marker): " + maxLogBytes);
        }
        long frame = replyFrameBytes(maxBodyBytes, maxLogBytes, maxHeaderCount, maxHeaderBytes);
        if (frame > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("these limits allow a reply frame of " + frame + " bytes, over the "
                    + MAX_FRAME_BYTES + " this protocol takes; lower maxBodyBytes (" + maxBodyBytes
                    + ") first, it counts six times");
        }
    }

    /**
     * What live-log followers see of one invocation's output: four times what its stored logs keep (a follower
     * watches it as it goes; the record keeps its start and its end), still bounded against a function printing
     * without end. 256 KiB by default.
     */
    public int maxLiveBytes() {
        return 4 * maxLogBytes;
    }

    /** The defaults with another body limit, e.g. from {@code GLAMBDAR_MAX_RESPONSE_MB}. */
    public static ReplyLimits withMaxBodyBytes(int maxBodyBytes) {
        return new ReplyLimits(maxBodyBytes, DEFAULTS.maxLogBytes, DEFAULTS.maxHeaderCount, DEFAULTS.maxHeaderBytes);
    }

    /**
     * Longest reply frame accepted: enough for a body, logs and headers at their limits with every byte JSON-escaped
     * (base64 bodies are smaller), plus an error's message and stack. Anything longer cannot be a legitimate reply.
     */
    public int maxReplyFrameBytes() {
        return (int) replyFrameBytes(maxBodyBytes, maxLogBytes, maxHeaderCount, maxHeaderBytes);
    }

    /** Longest hello frame accepted: logs, an error's message and stack, and the warm-up note, all escaped. */
    public int maxHelloFrameBytes() {
        return (int) (escaped(maxLogBytes) + 3 * escaped(MAX_TEXT_BYTES) + ENVELOPE_BYTES);
    }

    private static long replyFrameBytes(int body, int logs, int headerCount, int headerBytes) {
        return escaped(body) + escaped(logs) + escaped(headerBytes) + (long) headerCount * HEADER_VALUE_SYNTAX_BYTES
                + 2 * escaped(MAX_TEXT_BYTES) + ENVELOPE_BYTES;
    }

    private static long escaped(int bytes) {
        return (long) bytes * JSON_ESCAPE_BYTES;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}

package io.glambdar.store;

import java.util.Locale;
import java.util.Objects;

/**
 * A deployment the server refuses because of what the user sent (not because of a server fault).
 *
 * <p>The message is written for the user: what is wrong and what to do about it. It never contains a stack trace or
 * a host path, so the HTTP layer can send it as is in {@code {"error": message}}.
 */
public class DeployRejectedException extends RuntimeException {

    /** Why the deployment was refused; the HTTP layer maps it to a status code. */
    public enum Reason {
        /** The upload is malformed or invalid (HTTP 400). */
        BAD_REQUEST,
        /** A function of that name already exists (HTTP 409). */
        CONFLICT,
        /** The upload or its content is too large (HTTP 413). */
        TOO_LARGE
    }

    private final Reason reason;

    public DeployRejectedException(Reason reason, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * @param cause kept for the server's log only; its message is not shown to the user
     */
    public DeployRejectedException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public static DeployRejectedException badRequest(String message) {
        return new DeployRejectedException(Reason.BAD_REQUEST, message);
    }

    public Reason reason() {
        return reason;
    }

    /** Longest piece of user input {@link #quote(String)} shows, in code points. */
    public static final int QUOTE_MAX_CHARS = 80;

    /**
     * Quotes a piece of user input (a name, a path inside a zip) for an error message: in double quotes, with quotes,
     * backslashes, control and invisible formatting characters escaped, and cut after {@value #QUOTE_MAX_CHARS}
     * characters (marked with "…"). {@code null} becomes {@code null} without quotes.
     */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), QUOTE_MAX_CHARS) + 8).append('"');
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            if (shown == QUOTE_MAX_CHARS) {
                out.append('…');
                break;
            }
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            shown++;
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    int type = Character.getType(cp);
                    if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                            || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                            || type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
                        if (Character.isBmpCodePoint(cp)) {
                            out.append(String.format(Locale.ROOT, "\\u%04x", cp));
                        } else {
                            out.append(String.format(Locale.ROOT, "\\u%04x\\u%04x",
                                    (int) Character.highSurrogate(cp), (int) Character.lowSurrogate(cp)));
                        }
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

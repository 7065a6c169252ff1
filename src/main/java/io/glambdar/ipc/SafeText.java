package io.glambdar.ipc;

/** Text from a worker (so, from the function) made safe to put in a log line or an error message. */
public final class SafeText {

    // Shown of a hostile string by default, at most.
    private static final int SHOWN_CHARS = 100;

    private SafeText() {
    }

    /**
     * {@code text} in double quotes, with everything but printable ASCII escaped as {@code \}{@code uXXXX} (no line
     * breaks, terminal escapes or bidi overrides get through) and cut to 100 characters.
     */
    static String quoted(String text) {
        return quoted(text, SHOWN_CHARS);
    }

    /** {@link #quoted(String)}, cut to {@code maxChars} characters of {@code text}. */
    public static String quoted(String text, int maxChars) {
        StringBuilder out = new StringBuilder("\"");
        int shown = Math.min(text.length(), maxChars);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(escaped(c));
            }
        }
        out.append('"');
        if (text.length() > shown) {
            out.append(" (cut; ").append(text.length()).append(" characters in all)");
        }
        return out.toString();
    }

    /** One character as {@code \}{@code uXXXX}. */
    static String escaped(char c) {
        return String.format("\\u%04x", (int) c);
    }
}

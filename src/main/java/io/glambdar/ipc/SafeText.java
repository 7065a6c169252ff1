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

    /**
     * One line of a function's output, fit for a log read in a terminal: control characters (but tab), C1 controls,
     * bidi overrides and Unicode line separators as {@code \}{@code uXXXX}; any other text, non-ASCII included, as
     * printed. Otherwise a function could write escape sequences (colours, cursor moves, a window title) into the
     * terminal of whoever reads the server log.
     */
    public static String printable(String line) {
        int i = 0;
        while (i < line.length() && !unprintable(line.charAt(i))) {
            i++;
        }
        if (i == line.length()) {
            return line; // nearly always: nothing to copy
        }
        StringBuilder out = new StringBuilder(line.length() + 16).append(line, 0, i);
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (unprintable(c)) {
                out.append(escaped(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean unprintable(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0x200E || c == 0x200F
                || c == 0x061C;
    }

    /** One character as {@code \}{@code uXXXX}. */
    static String escaped(char c) {
        return String.format("\\u%04x", (int) c);
    }
}

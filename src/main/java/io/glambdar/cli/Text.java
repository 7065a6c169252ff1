package io.glambdar.cli;

import java.util.Locale;

/**
 * How values read from the server are shown. Function names, errors and output may come from hostile function code:
 * control characters (terminal escape sequences among them) are never written to a terminal as they are.
 */
final class Text {

    private Text() {
    }

    /** {@code value} on one line: line breaks become spaces, other control characters {@code ?}. */
    static String oneLine(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            line.append(c == '\n' || c == '\r' || c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
        }
        return line.toString().strip();
    }

    /** Text a function printed or returned, lines kept: control characters other than tab and line feed become {@code ?}. */
    static String printable(String value) {
        StringBuilder text = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            text.append(c == '\n' || c == '\t' || !Character.isISOControl(c) ? c : '?');
        }
        return text.toString();
    }

    /** A table cell or a value: {@code -} for null, numbers without a needless {@code .0}. */
    static String cell(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return oneLine(String.valueOf(value));
    }

    /** An ISO-8601 UTC time as {@code 2025-01-31 12:34:56} (the tables say UTC); {@code -} for null. */
    static String time(Object iso) {
        if (iso == null) {
            return "-";
        }
        String text = oneLine(iso.toString());
        if (text.length() >= 19 && text.charAt(10) == 'T') {
            return text.substring(0, 10) + " " + text.substring(11, 19);
        }
        return text;
    }

    /** A byte count as {@code 512 B}, {@code 1.5 KB}, {@code 42.0 MB} (powers of 1024). */
    static String bytes(Object count) {
        if (!(count instanceof Number number)) {
            return "-";
        }
        double value = number.doubleValue();
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? (long) value + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Milliseconds as {@code 12 ms}; {@code -} for null. */
    static String millis(Object millis) {
        return millis instanceof Number ? cell(millis) + " ms" : "-";
    }

    static String yesNo(Object flag) {
        return flag == null ? "-" : Boolean.TRUE.equals(flag) ? "yes" : "no";
    }
}

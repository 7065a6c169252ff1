package io.glambdar.cli;

import java.nio.charset.StandardCharsets;

/**
 * A sub-path and query as a user types them after a function's name ({@code /ü?x=ü&y=a b}), made fit for a URL the
 * way a browser's address bar does it: what a URL cannot hold is percent-encoded (as UTF-8: spaces, non-ASCII, a
 * {@code %} that starts no escape, {@code #}, quotes, brackets); what it can is kept as typed, so valid {@code %XX}
 * escapes and reserved characters ({@code / ? & = + ;} ...) still mean what the user meant.
 */
final class TypedUrlPart {

    /** RFC 3986's unreserved characters, sub-delimiters, {@code :} {@code @}, and the separators {@code /} {@code ?}. */
    private static final String KEPT = "-._~!$&'()*+,;=:@/?";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private TypedUrlPart() {
    }

    static String encode(String typed) {
        StringBuilder encoded = new StringBuilder(typed.length());
        int i = 0;
        while (i < typed.length()) {
            int c = typed.codePointAt(i);
            int next = i + Character.charCount(c);
            if (c < 128 && (Character.isLetterOrDigit(c) || KEPT.indexOf(c) >= 0 || isEscape(typed, i))) {
                encoded.append((char) c);
            } else {
                for (byte b : typed.substring(i, next).getBytes(StandardCharsets.UTF_8)) {
                    encoded.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
            i = next;
        }
        return encoded.toString();
    }

    /** Whether a {@code %} and two hex digits start at {@code at}. */
    private static boolean isEscape(String text, int at) {
        return text.charAt(at) == '%' && at + 2 < text.length() && isHex(text.charAt(at + 1))
                && isHex(text.charAt(at + 2));
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }
}

package io.glambdar.ipc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The response headers a function returned, checked before they can reach an HTTP client: RFC 9110 names, values of
 * the characters RFC 9110 allows in a field value, {@link ReplyLimits} on their number and size, and none of the
 * server's own headers.
 */
final class ResponseHeaders {

    /**
     * The server's own headers, lower-case: {@code X-Glambdar-Invocation-Id} and {@code X-Glambdar-Version} on every
     * invocation response (SPEC "Invocation, widened"), {@code X-Glambdar-Node} in a cluster, and any it adds later. A
     * function's values for them are dropped, so a client can trust every one it reads.
     */
    static final String SERVER_OWNED_PREFIX = "x-glambdar-";

    // RFC 9110 tchar, besides letters and digits.
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private ResponseHeaders() {
    }

    /** A header the function returned cannot be sent; the message names it and says what is allowed. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false); // an answer to the function's author, not a bug: no stack trace
        }
    }

    /**
     * Checks the headers as the worker sent them and returns them with lower-case names (names differing only in case
     * merged) and without the server's own.
     *
     * @throws Invalid for a name that is not a token, a value with a character a field value may not hold, or too many
     *                 or too long headers
     */
    static Map<String, List<String>> check(Map<String, List<String>> asSent, ReplyLimits limits) throws Invalid {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        long count = 0;
        long bytes = 0;
        for (Map.Entry<String, List<String>> header : asSent.entrySet()) {
            String name = header.getKey();
            if (!isToken(name)) {
                throw new Invalid("header name " + SafeText.quoted(name) + " is not a valid HTTP header name: use only letters,"
                        + " digits and " + TOKEN_SYMBOLS + " (RFC 9110 token)");
            }
            String lowerCase = name.toLowerCase(Locale.ROOT); // a token is ASCII, so this is plain ASCII lower-casing
            if (lowerCase.startsWith(SERVER_OWNED_PREFIX)) {
                continue;
            }
            for (String value : header.getValue()) {
                requireFieldValue(name, value);
                bytes += Utf8Text.length(name) + Utf8Text.length(value);
            }
            count += header.getValue().size();
            headers.computeIfAbsent(lowerCase, k -> new ArrayList<>()).addAll(header.getValue());
        }
        if (count > limits.maxHeaderCount()) {
            throw new Invalid("the response has " + count + " header values; at most " + limits.maxHeaderCount()
                    + " are allowed");
        }
        if (bytes > limits.maxHeaderBytes()) {
            throw new Invalid("the response headers take " + bytes + " bytes (names and values); at most "
                    + limits.maxHeaderBytes() + " bytes are allowed");
        }
        headers.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(headers);
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alphanumeric && TOKEN_SYMBOLS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 9110 field-value characters: VCHAR, SP, HTAB and obs-text (0x80-0xFF, sent as those single bytes). Anything
     * else is a control character (CR and LF would split the header) or past Latin-1, which no byte on the wire can
     * carry: sent, it would arrive mangled.
     */
    private static void requireFieldValue(String name, String value) throws Invalid {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new Invalid("header " + SafeText.quoted(name) + " has a value with a control character ("
                        + SafeText.escaped(c) + " at position " + i + "); header values may not contain CR, LF, NUL"
                        + " or other control characters except tab");
            }
            if (c > 0xFF) {
                throw new Invalid("header " + SafeText.quoted(name) + " has a value with a character outside Latin-1 ("
                        + String.format("U+%04X", value.codePointAt(i)) + " at position " + i + "); HTTP header values"
                        + " carry only visible ASCII, space, tab and characters U+0080 to U+00FF (RFC 9110"
                        + " field-value): percent-encode other text, e.g. with encodeURIComponent");
            }
        }
    }
}

package io.glambdar.ipc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The response headers a function returned, checked before they can reach an HTTP client: RFC 9110 names, values
 * without control characters, {@link ReplyLimits} on their number and size, and none of the server's own headers.
 */
final class ResponseHeaders {

    /** Set by the server on every invocation response (SPEC "Invocation, widened"); a function's values are dropped. */
    static final Set<String> SERVER_OWNED = Set.of("x-glambdar-invocation-id", "x-glambdar-version");

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
     * @throws Invalid for a name that is not a token, a value with a control character, or too many or too long headers
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
            if (SERVER_OWNED.contains(lowerCase)) {
                continue;
            }
            for (String value : header.getValue()) {
                requireNoControlCharacter(name, value);
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

    // RFC 5234 CTL (0x00-0x1F and DEL), except the horizontal tab that field values may hold.
    private static void requireNoControlCharacter(String name, String value) throws Invalid {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new Invalid("header " + SafeText.quoted(name) + " has a value with a control character ("
                        + SafeText.escaped(c) + " at position " + i + "); header values may not contain CR, LF, NUL"
                        + " or other control characters except tab");
            }
        }
    }
}

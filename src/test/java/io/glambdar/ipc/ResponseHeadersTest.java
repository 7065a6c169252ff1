package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadersTest {

    private static final ReplyLimits LIMITS = new ReplyLimits(1024, 1024, 5, 100);

    @Test
    void namesAreLowerCasedAndMergedInOrder() throws Exception {
        Map<String, List<String>> sent = new LinkedHashMap<>();
        sent.put("Content-Type", List.of("text/plain"));
        sent.put("X-Twice", List.of("one"));
        sent.put("x-twice", List.of("two", "three"));

        assertThat(ResponseHeaders.check(sent, LIMITS)).containsExactly(
                Map.entry("content-type", List.of("text/plain")),
                Map.entry("x-twice", List.of("one", "two", "three")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Glambdar-Invocation-Id", "x-glambdar-version", "X-GLAMBDAR-VERSION", "X-Glambdar-Node",
            "x-glambdar-anything-later"})
    void theServersOwnHeadersAreDroppedSilently(String name) throws Exception {
        Map<String, List<String>> sent = new LinkedHashMap<>();
        sent.put(name, List.of("forged"));
        sent.put("x-kept", List.of("yes"));

        assertThat(ResponseHeaders.check(sent, LIMITS)).containsOnlyKeys("x-kept");
    }

    @Test
    void everyTokenCharacterIsAllowedInANameAndTabInAValue() throws Exception {
        String name = "!#$%&'*+-.^_`|~09azAZ";

        assertThat(ResponseHeaders.check(Map.of(name, List.of("a\tb")), LIMITS))
                .containsExactly(Map.entry(name.toLowerCase(), List.of("a\tb")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad name", "colon:", "x\r\ninjected", "quote\"", "é", "\u212Aelvin", "a(b)"})
    void aNameThatIsNotATokenIsInvalid(String name) {
        assertThatThrownBy(() -> ResponseHeaders.check(Map.of(name, List.of("v")), LIMITS))
                .isInstanceOf(ResponseHeaders.Invalid.class)
                .hasMessageStartingWith("header name " + SafeText.quoted(name) + " is not a valid HTTP header name")
                .hasMessageContaining("RFC 9110");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nInjected: yes", "a\nb", "nul\u0000", "bell\u0007", "del\u007F", "esc\u001B[31m"})
    void aValueWithAControlCharacterIsInvalidAndNamesTheHeader(String value) {
        assertThatThrownBy(() -> ResponseHeaders.check(Map.of("X-Evil", List.of("fine", value)), LIMITS))
                .isInstanceOf(ResponseHeaders.Invalid.class)
                .hasMessageStartingWith("header \"X-Evil\" has a value with a control character (\\u00")
                .hasMessageContaining("CR, LF, NUL or other control characters except tab");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\uD83D\uDE00b", "\u4E2D", "\u0100", "euro \u20AC"})
    void aValueWithACharacterPastLatin1IsInvalidAndNamesTheHeader(String value) {
        assertThatThrownBy(() -> ResponseHeaders.check(Map.of("X-Emoji", List.of(value)), LIMITS))
                .isInstanceOf(ResponseHeaders.Invalid.class)
                .hasMessageStartingWith("header \"X-Emoji\" has a value with a character outside Latin-1 ("
                        + String.format("U+%04X", value.codePoints().filter(c -> c > 0xFF).findFirst().orElseThrow()))
                .hasMessageContaining("RFC 9110");
    }

    @Test
    void visibleAsciiSpaceTabAndObsTextAreAllowedInAValue() throws Exception {
        StringBuilder value = new StringBuilder("\t ");
        for (char c = 0x21; c <= 0xFF; c++) {
            if (c != 0x7F) {
                value.append(c);
            }
        }

        assertThat(ResponseHeaders.check(Map.of("x-all", List.of(value.toString())), new ReplyLimits(1024, 1024, 5,
                1024))).containsExactly(Map.entry("x-all", List.of(value.toString())));
    }

    @Test
    void moreValuesThanTheLimitIsInvalid() {
        Map<String, List<String>> sent = Map.of("a", List.of("1", "2", "3"), "b", List.of("4", "5", "6"));

        assertThatThrownBy(() -> ResponseHeaders.check(sent, LIMITS))
                .isInstanceOf(ResponseHeaders.Invalid.class)
                .hasMessage("the response has 6 header values; at most 5 are allowed");
    }

    @Test
    void valuesAtTheCountLimitPass() throws Exception {
        assertThat(ResponseHeaders.check(Map.of("a", List.of("1", "2", "3", "4", "5")), LIMITS)).hasSize(1);
    }

    @Test
    void moreBytesThanTheLimitIsInvalidCountingTheNameOncePerValue() throws Exception {
        // 2 values of "name" (4) + 46 bytes = 100 bytes: at the limit. One more byte is over.
        String value = "v".repeat(46);
        assertThat(ResponseHeaders.check(Map.of("name", List.of(value, value)), LIMITS)).hasSize(1);

        assertThatThrownBy(() -> ResponseHeaders.check(Map.of("name", List.of(value, value + "é")), LIMITS))
                .isInstanceOf(ResponseHeaders.Invalid.class)
                .hasMessage("the response headers take 102 bytes (names and values); at most 100 bytes are allowed");
    }

    @Test
    void theServersOwnHeadersDoNotCountTowardsTheLimits() throws Exception {
        Map<String, List<String>> sent = new LinkedHashMap<>();
        sent.put("x-glambdar-version", List.of("1", "2", "3", "4", "5", "6"));
        sent.put("x-a", List.of("1"));

        assertThat(ResponseHeaders.check(sent, LIMITS)).containsOnlyKeys("x-a");
    }
}

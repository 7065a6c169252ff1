package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void printableAsciiIsQuotedAsIs() {
        assertThat(SafeText.quoted("x-custom: ok")).isEqualTo("\"x-custom: ok\"");
    }

    @Test
    void quotesBackslashesAndEverythingButPrintableAsciiAreEscaped() {
        assertThat(SafeText.quoted("a\"b\\c\r\n\u001b[31m\u202Ed é"))
                .isEqualTo("\"a\\\"b\\\\c\\u000d\\u000a\\u001b[31m\\u202ed \\u00e9\"");
    }

    @Test
    void longTextIsCutAndSaysHowLongItWas() {
        assertThat(SafeText.quoted("n".repeat(150))).isEqualTo("\"" + "n".repeat(100) + "\" (cut; 150 characters in all)");
    }
}

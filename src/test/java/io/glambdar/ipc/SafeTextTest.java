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
    void printableOutputKeepsTextAndTabsAndEscapesWhatCouldDriveATerminal() {
        assertThat(SafeText.printable("plain ünïcödé ✓ 😀\tand a tab")).isEqualTo("plain ünïcödé ✓ 😀\tand a tab");
        assertThat(SafeText.printable("red \u001b[31mtext\u0000\u0007 title \u001b]0;pwned\u0007"))
                .isEqualTo("red \\u001b[31mtext\\u0000\\u0007 title \\u001b]0;pwned\\u0007");
        assertThat(SafeText.printable("c1 \u009b31m del \u007f bidi \u202eevil\u2066 sep \u2028"))
                .isEqualTo("c1 \\u009b31m del \\u007f bidi \\u202eevil\\u2066 sep \\u2028");
    }

    @Test
    void longTextIsCutAndSaysHowLongItWas() {
        assertThat(SafeText.quoted("n".repeat(150))).isEqualTo("\"" + "n".repeat(100) + "\" (cut; 150 characters in all)");
    }
}

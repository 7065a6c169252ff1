package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8TextTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "plain ascii", "é and ü", "€ three bytes", "😀 a surrogate pair", "mixed é€😀x"})
    void lengthIsTheUtf8EncodedLength(String text) {
        assertThat(Utf8Text.length(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aLoneSurrogateCountsThreeBytesAsInWorkerJs() {
        assertThat(Utf8Text.length("a\uD800b")).isEqualTo(5);
    }

    @Test
    void textThatFitsIsReturnedAsIs() {
        String text = "€".repeat(100); // 300 bytes

        assertThat(Utf8Text.truncate(text, 300)).isSameAs(text);
    }

    @Test
    void longTextIsCutToTheLimitWithAMarkerCountingWhatIsLeftOut() {
        String cut = Utf8Text.truncate("x".repeat(1000), 200);

        assertThat(cut).isEqualTo("x".repeat(200 - 64) + "\n[... " + (1000 - 136) + " bytes truncated]\n");
        assertThat(Utf8Text.length(cut)).isLessThanOrEqualTo(200);
    }

    @Test
    void theCutNeverSplitsACharacter() {
        String text = "€".repeat(1000); // 3 bytes each: 136 bytes kept would end inside a character

        String cut = Utf8Text.truncate(text, 200);

        assertThat(cut).startsWith("€".repeat(45) + "\n[... ").doesNotContain("\uFFFD");
        assertThat(cut).endsWith("[... " + (3000 - 135) + " bytes truncated]\n");
        assertThat(Utf8Text.length(cut)).isLessThanOrEqualTo(200);
    }
}

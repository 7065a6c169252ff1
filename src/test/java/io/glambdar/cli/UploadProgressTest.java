package io.glambdar.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class UploadProgressTest {

    @Test
    void redrawsInPlaceWhenThePercentageMovesAndEndsTheLineAtTheEnd() throws IOException {
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        UploadProgress progress = new UploadProgress(new PrintStream(shown, true, StandardCharsets.UTF_8), "f.zip",
                4 * 1024 * 1024);
        InputStream in = progress.counting(new ByteArrayInputStream(new byte[4 * 1024 * 1024]));

        in.readNBytes(2 * 1024 * 1024);
        String half = shown.toString(StandardCharsets.UTF_8);
        in.readAllBytes();

        String last = half.substring(half.lastIndexOf('\r') + 1);
        assertThat(last.stripTrailing()).isEqualTo("uploading f.zip [###############               ]  50%  2.0 MB / 4.0 MB");
        int longestBefore = java.util.Arrays.stream(half.split("\r")).mapToInt(l -> l.stripTrailing().length()).max()
                .orElseThrow();
        assertThat(longestBefore).as("\"1023.9 KB / 4.0 MB\" was longer").isGreaterThan(last.stripTrailing().length());
        assertThat(last).as("spaces over what the longest line left").hasSize(longestBefore);
        assertThat(shown.toString(StandardCharsets.UTF_8)).containsPattern(
                "\ruploading f\\.zip \\[#{30}] 100%  4\\.0 MB / 4\\.0 MB *\n$");
    }

    @Test
    void drawsOnlyWhenThePercentageChanges() {
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        UploadProgress progress = new UploadProgress(new PrintStream(shown, true, StandardCharsets.UTF_8), "f.zip",
                1000);

        for (int i = 0; i < 1000; i++) {
            progress.advance(1);
        }

        assertThat(shown.toString(StandardCharsets.UTF_8).split("\r")).hasSize(102); // "", then 0% to 100%
    }

    @Test
    void aBarLeftShortIsEndedSoTheErrorStartsALineAndAFinishedOneIsNotEndedTwice() {
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        UploadProgress progress = new UploadProgress(new PrintStream(shown, true, StandardCharsets.UTF_8), "f.zip",
                1000);
        ByteArrayOutputStream finished = new ByteArrayOutputStream();
        UploadProgress done = new UploadProgress(new PrintStream(finished, true, StandardCharsets.UTF_8), "f.zip",
                1000);
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        UploadProgress neverStarted = new UploadProgress(new PrintStream(none, true, StandardCharsets.UTF_8), "f.zip",
                1000);

        progress.advance(450);
        progress.end();
        done.advance(1000);
        done.end();
        neverStarted.end();

        assertThat(shown.toString(StandardCharsets.UTF_8)).endsWith(" 45%  450 B / 1000 B\n");
        assertThat(finished.toString(StandardCharsets.UTF_8)).endsWith("1000 B / 1000 B\n").doesNotEndWith("\n\n");
        assertThat(none.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}

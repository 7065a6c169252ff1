package io.glambdar.ipc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrintedLogsTest {

    @Test
    void outputWithinTheLimitIsKeptWhole() {
        PrintedLogs logs = new PrintedLogs(1024);
        logs.add("one\n");
        logs.add("two\n");

        assertThat(logs.logs(0)).isEqualTo("one\ntwo\n");
    }

    @Test
    void aBigPrinterKeepsItsFirstAndItsLastLinesWithinTheLimitAndCountsWhatIsDropped() {
        PrintedLogs logs = new PrintedLogs(1024);
        int lines = 200_000;
        long printed = 0;
        for (int i = 0; i < lines; i++) {
            String line = "line %06d %s\n".formatted(i, "x".repeat(48));
            logs.add(line);
            printed += line.length();
        }

        String kept = logs.logs(0);

        assertThat(Utf8Text.length(kept)).isLessThanOrEqualTo(1024);
        assertThat(kept).startsWith("line 000000 ").endsWith("line 199999 " + "x".repeat(48) + "\n");
        String marker = kept.substring(kept.indexOf("\n[... "), kept.indexOf(" bytes dropped]\n") + 16);
        long dropped = Long.parseLong(marker.replaceAll("\\D", ""));
        assertThat(dropped).isEqualTo(printed - (kept.length() - marker.length()));
    }

    @Test
    void whatTheWorkerSaysItLeftOutIsCountedToo() {
        PrintedLogs logs = new PrintedLogs(1024);
        logs.add("short\n");

        assertThat(logs.logs(100)).isEqualTo("short\n\n[... 100 bytes dropped]\n");
    }

    @Test
    void multiByteTextIsCutBetweenCharactersAndCountedInBytes() {
        PrintedLogs logs = new PrintedLogs(1024);
        logs.add("€".repeat(1000)); // 3,000 bytes

        String kept = logs.logs(0);

        assertThat(Utf8Text.length(kept)).isLessThanOrEqualTo(1024);
        assertThat(kept).doesNotContain("\uFFFD").startsWith("€".repeat(85)).endsWith("€".repeat(100));
        long keptBytes = kept.chars().filter(c -> c == '€').count() * 3;
        assertThat(kept).contains("[... " + (3000 - keptBytes) + " bytes dropped]");
    }
}

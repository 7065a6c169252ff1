package io.glambdar.engine;

import io.glambdar.ipc.LogStream;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutputLinesTest {

    private final List<String> lines = new ArrayList<>();
    private final OutputLines output = new OutputLines((stream, line) -> lines.add(stream.label() + ":" + line));

    @Test
    void piecesBecomeWholeLinesPerStreamWhereverTheyWereCut() {
        output.printed(LogStream.STDOUT, "one\ntw");
        output.printed(LogStream.STDERR, "err");
        output.printed(LogStream.STDOUT, "o\n\nthree\r\nfour");
        output.printed(LogStream.STDERR, "or\n");

        assertThat(lines).containsExactly("stdout:one", "stdout:two", "stdout:", "stdout:three", "stderr:error");

        output.finish();

        assertThat(lines).endsWith("stdout:four");
        output.finish();
        assertThat(lines).hasSize(6); // a line is passed on once
    }

    @Test
    void textThatCameWhole_loadingOutput_isEveryLineOfIt() {
        output.all(OutputListener.Stream.STDOUT, "loading\nstill loading");
        output.all(OutputListener.Stream.STDOUT, "");

        assertThat(lines).containsExactly("stdout:loading", "stdout:still loading");
    }

    @Test
    void aLostContainersRecordAddsOnlyTheLinesAfterTheLastOneShownLive() {
        output.printed(LogStream.STDOUT, "earlier\nsame\nlast shown\n");
        assertThat(output.after(OutputListener.Stream.STDOUT, "older call\nsame\nlast shown\nnever sent\nkilled\n"))
                .as("it holds all that was shown").isTrue();

        assertThat(lines).containsExactly("stdout:earlier", "stdout:same", "stdout:last shown", "stdout:never sent",
                "stdout:killed");
    }

    @Test
    void aLostContainersRecordIsShownWholeWhenNothingWasShownLive() {
        assertThat(output.after(OutputListener.Stream.STDOUT, "printed\ncrashed\n")).isTrue();

        assertThat(lines).containsExactly("stdout:printed", "stdout:crashed");
    }

    @Test
    void aLostContainersRecordWithoutTheLastLineShownIsShownWholeAndSaidToBeShort() {
        output.printed(LogStream.STDOUT, "shown\n");

        assertThat(output.after(OutputListener.Stream.STDOUT, "")).isFalse();
        assertThat(output.after(OutputListener.Stream.STDOUT, "other\n")).isFalse();
        assertThat(lines).containsExactly("stdout:shown", "stdout:other");
    }
}

package io.glambdar.cli;

import io.glambdar.app.Main;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Runs {@code ./glambdar ARGS} in this JVM (in unit tests and in {@code CliIT}), its output captured; stdin and the terminal flags as a test says. */
public final class Cli {

    /** What one run printed and returned. */
    public record Run(int status, byte[] outBytes, String err) {

        public String out() {
            return new String(outBytes, StandardCharsets.UTF_8);
        }
    }

    private byte[] stdin = new byte[0];
    private boolean stdinTerminal = true;
    private boolean stdoutTerminal;
    private boolean stderrTerminal;

    /** Stdin is a pipe holding {@code bytes}. */
    public Cli stdin(String text) {
        stdin = text.getBytes(StandardCharsets.UTF_8);
        stdinTerminal = false;
        return this;
    }

    /** Stdout and stderr are a terminal (stdin already is, unless {@link #stdin} piped something). */
    public Cli onTerminal() {
        stdoutTerminal = true;
        stderrTerminal = true;
        return this;
    }

    public Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Terminal terminal = new Terminal(new ByteArrayInputStream(stdin), outStream, errStream, stdinTerminal,
                stdoutTerminal, stderrTerminal);
        int status = Main.execute(terminal, args);
        outStream.flush();
        errStream.flush();
        return new Run(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    public static Run of(String... args) {
        return new Cli().run(args);
    }

    /** {@code args}, then {@code --url url}. */
    public static String[] withUrl(String url, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--url";
        all[args.length + 1] = url;
        return all;
    }
}

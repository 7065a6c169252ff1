package io.glambdar.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * Where a client command reads and writes, and which of its streams are a terminal: a body is read from stdin only when
 * it is not one, and a progress bar is drawn only on a terminal, never into a pipe or a file.
 *
 * @param in  the body of {@code invoke} when it has no {@code -d} and stdin is not a terminal
 * @param out results, for the user or the next program of a pipe
 * @param err errors and progress
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, boolean stdinIsTerminal,
                       boolean stdoutIsTerminal, boolean stderrIsTerminal) {

    /**
     * Set by the launcher ({@code ./glambdar}) to the streams that are a terminal, e.g. {@code in,out,err}: the shell
     * can ask of each stream, where Java can only ask of all of them at once.
     */
    static final String TERMINAL_PROPERTY = "glambdar.terminal";

    /** This process's own streams. */
    public static Terminal system() {
        String streams = System.getProperty(TERMINAL_PROPERTY);
        if (streams != null) {
            return new Terminal(System.in, System.out, System.err, streams.contains("in"), streams.contains("out"),
                    streams.contains("err"));
        }
        boolean console = isTerminal(System.console());
        return new Terminal(System.in, System.out, System.err, console, console, console);
    }

    /** Without the launcher: on JDK 22+ a console exists even when redirected, and says whether it is a terminal. */
    private static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) { // JDK 21: a console is only there on a terminal
            return true;
        }
    }
}

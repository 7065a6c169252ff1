package io.glambdar.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The client commands' wiring into a picocli command line: their terminal, their errors, no @-file expansion. */
public final class ClientCommands {

    private ClientCommands() {
    }


    /**
     * A command line for {@code root} and {@code subcommands} (by name) that prints on {@code terminal}: {@code -d @file}
     * is the client's to read, not picocli's to expand into arguments; a client command's failure is one line on stderr
     * (with {@code --json}, the server's JSON error as it came, if it sent one) and exit status 1, never a stack trace.
     */
    public static CommandLine commandLine(Object root, Map<String, Class<?>> subcommands, Terminal terminal) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine commandLine = new CommandLine(root, new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K made = defaults.create(type);
                if (made instanceof ClientCommand command) {
                    command.terminal = terminal;
                }
                return made;
            }
        });
        subcommands.forEach(commandLine::addSubcommand); // first: the settings below reach the subcommands there are
        commandLine.setExpandAtFiles(false);
        commandLine.setOut(new PrintWriter(terminal.out(), true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(terminal.err(), true, StandardCharsets.UTF_8));
        commandLine.setExecutionExceptionHandler((failure, failed, parsed) -> {
            if (!(failed.getCommand() instanceof ClientCommand command)) {
                throw failure;
            }
            terminal.out().flush();
            if (command.server.json && failure instanceof ClientException clientFailure
                    && clientFailure.serverJson() != null) {
                byte[] json = clientFailure.serverJson();
                terminal.err().write(json, 0, json.length);
                if (json[json.length - 1] != '\n') {
                    terminal.err().println();
                }
                terminal.err().flush();
                return 1;
            }
            String message = failure instanceof ClientException ? failure.getMessage()
                    : failure.getClass().getSimpleName() + (failure.getMessage() == null ? ""
                    : ": " + failure.getMessage());
            terminal.err().println("error: " + Text.oneLine(message));
            terminal.err().flush();
            return 1;
        });
        return commandLine;
    }
}

package io.glambdar.app;

import io.glambdar.bench.BenchCommand;
import io.glambdar.cli.ClientCommands;
import io.glambdar.cli.DeployCommand;
import io.glambdar.cli.InfoCommand;
import io.glambdar.cli.InvocationsCommand;
import io.glambdar.cli.InvokeCommand;
import io.glambdar.cli.KeysCommand;
import io.glambdar.cli.LogsCommand;
import io.glambdar.cli.LsCommand;
import io.glambdar.cli.RmCommand;
import io.glambdar.cli.RollbackCommand;
import io.glambdar.cli.SchedulesCommand;
import io.glambdar.cli.Terminal;
import io.glambdar.cli.VersionsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code glambdar serve | bench}, and the client's commands, which talk to a server over HTTP. */
@Command(name = "glambdar", mixinStandardHelpOptions = true, version = "Glambdar 0.1.0",
        description = "Self-hosted serverless runtime: Node.js functions, each invocation in its own Docker container.")
public final class Main implements Runnable {

    /** Every subcommand, in the order the help lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands(ServeCommand.class, BenchCommand.class,
            DeployCommand.class, InvokeCommand.class, LogsCommand.class, LsCommand.class, InfoCommand.class,
            RmCommand.class, VersionsCommand.class, RollbackCommand.class, KeysCommand.class, InvocationsCommand.class,
            SchedulesCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(Terminal.system(), args).execute(args));
    }

    /**
     * The command line that runs {@code args}, printing on {@code terminal}. When they name a subcommand, it alone is
     * built: picocli reads every option of every command it is given, by reflection, and that was most of the start
     * time of a client command such as {@code ls}.
     */
    public static CommandLine commandLine(Terminal terminal, String... args) {
        Class<?> named = args.length == 0 ? null : COMMANDS.get(args[0]);
        CommandLine commandLine = ClientCommands.commandLine(new Main(),
                named == null ? COMMANDS : Map.of(args[0], named), terminal);
        // A bad flag of serve (--pool=maybe, --no-such-flag) stops the start in one line, not the whole usage.
        CommandLine.IParameterExceptionHandler usual = commandLine.getParameterExceptionHandler();
        commandLine.setParameterExceptionHandler((failure, arguments) -> {
            if (!(failure.getCommandLine().getCommand() instanceof ServeCommand)) {
                return usual.handleParseException(failure, arguments);
            }
            failure.getCommandLine().getErr().println("Cannot start: " + failure.getMessage()
                    + " (glambdar serve --help lists the settings)");
            return failure.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine;
    }

    private static Map<String, Class<?>> commands(Class<?>... commands) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> command : commands) {
            byName.put(command.getAnnotation(Command.class).name(), command);
        }
        return byName;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        System.exit(execute(Terminal.system(), args));
    }

    /** Runs {@code args} on {@code terminal}. @return the exit status */
    public static int execute(Terminal terminal, String... args) {
        String[] arguments = verbFirst(args);
        return commandLine(terminal, arguments).execute(arguments);
    }

    /** The options every client command takes, which a user may also put before the command's name. */
    private static final Set<String> CLIENT_OPTIONS_WITH_VALUE = Set.of("--url", "--key");

    /**
     * {@code args} with the client's own options ({@code --url X}, {@code --key=X}, {@code --json}) that come before
     * the command's name moved after it: {@code glambdar --url http://host:8000 ls} is {@code glambdar ls --url ...}.
     */
    static String[] verbFirst(String[] args) {
        List<String> leading = new ArrayList<>();
        int i = 0;
        while (i < args.length) {
            String arg = args[i];
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (CLIENT_OPTIONS_WITH_VALUE.contains(option)) {
                leading.add(arg);
                if (!arg.contains("=") && i + 1 < args.length) {
                    leading.add(args[++i]);
                }
                i++;
            } else if (arg.equals("--json")) {
                leading.add(arg);
                i++;
            } else {
                break;
            }
        }
        if (leading.isEmpty() || i >= args.length) {
            return args;
        }
        List<String> reordered = new ArrayList<>();
        reordered.add(args[i]);
        reordered.addAll(leading);
        reordered.addAll(Arrays.asList(args).subList(i + 1, args.length));
        return reordered.toArray(String[]::new);
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

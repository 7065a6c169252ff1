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

/** {@code glambdar serve | bench}, and the client's commands, which talk to a server over HTTP. */
@Command(name = "glambdar", mixinStandardHelpOptions = true, version = "Glambdar 0.1.0",
        description = "Self-hosted serverless runtime: Node.js functions, each invocation in its own Docker container.",
        subcommands = {ServeCommand.class, BenchCommand.class, DeployCommand.class, InvokeCommand.class,
                LogsCommand.class, LsCommand.class, InfoCommand.class, RmCommand.class, VersionsCommand.class,
                RollbackCommand.class, KeysCommand.class, InvocationsCommand.class, SchedulesCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(Terminal.system()).execute(args));
    }

    /** The whole command line, printing on {@code terminal}. */
    public static CommandLine commandLine(Terminal terminal) {
        return ClientCommands.commandLine(new Main(), terminal);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package io.glambdar.app;

import io.glambdar.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code glambdar serve | bench}. */
@Command(name = "glambdar", mixinStandardHelpOptions = true, version = "Glambdar 0.1.0",
        description = "Self-hosted serverless runtime: Node.js functions, each invocation in its own Docker container.",
        subcommands = {ServeCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

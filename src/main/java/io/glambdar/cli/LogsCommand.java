package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code glambdar logs NAME [-f] [--id ID]}: a function's recent invocations, one invocation's record and output, or
 * its output live.
 */
@Command(name = "logs", description = "A function's recent invocations (a table), one invocation's record and"
        + " output (--id), or its output and reports live (-f) until the function is deleted, the server stops or you"
        + " stop it.")
public final class LogsCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Print what the function prints as it happens, and a REPORT"
            + " line as each invocation ends.")
    boolean follow;

    @Option(names = "--id", paramLabel = "ID", description = "One invocation: its record and what it printed.")
    String invocationId;

    @Override
    int run(GlambdarClient client) {
        String path = "/logs/" + segment(name);
        if (follow && invocationId != null) {
            throw new ClientException("-f follows every invocation: leave out --id");
        }
        if (follow) {
            return new LogFollower(terminal, server.json).follow(name, client.stream(path + "?follow=true"),
                    client::serverStopped);
        }
        if (invocationId != null) {
            return show(client, path + "/" + segment(invocationId),
                    record -> InvocationsCommand.printRecord(record, terminal));
        }
        return showTable(client, path, "invocations", "No recent invocations of " + Text.oneLine(name) + ".",
                new Table("ID", "STARTED (UTC)", "DURATION", "OUTCOME", "STATUS", "CODE", "COLD START"),
                invocation -> new Object[]{invocation.get("invocationId"), Text.time(invocation.get("startedAt")),
                        Text.millis(invocation.get("durationMs")),
                        invocation.getOrDefault("outcome", invocation.get("status")), invocation.get("statusCode"),
                        invocation.get("code"), Text.yesNo(invocation.get("coldStart"))});
    }
}

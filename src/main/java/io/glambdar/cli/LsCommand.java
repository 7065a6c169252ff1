package io.glambdar.cli;

import picocli.CommandLine.Command;

/** {@code glambdar ls}: the deployed functions and their statistics ({@code GET /info}). */
@Command(name = "ls", description = "List the deployed functions and their statistics.")
public final class LsCommand extends ClientCommand {

    @Override
    int run(GlambdarClient client) {
        return showTable(client, "/info", "functions", "No functions deployed. Deploy one with: ./glambdar deploy PATH",
                new Table("NAME", "VERSION", "INVOCATIONS", "ERRORS", "LAST STATUS", "LAST INVOKED (UTC)"),
                function -> new Object[]{function.get("name"), function.get("version"), function.get("invokeCount"),
                        function.get("errorCount"), function.get("lastStatus"),
                        Text.time(function.get("lastInvokedAt"))});
    }
}

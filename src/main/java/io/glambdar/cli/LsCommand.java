package io.glambdar.cli;

import picocli.CommandLine.Command;

import java.util.Map;

/** {@code glambdar ls}: the deployed functions and their statistics ({@code GET /info}). */
@Command(name = "ls", description = "List the deployed functions and their statistics.")
public final class LsCommand extends ClientCommand {

    @Override
    int run(GlambdarClient client) {
        Reply reply = client.get("/info").orThrow();
        if (printedJson(reply)) {
            return 0;
        }
        var functions = Json.objects(reply.json(), "functions");
        if (functions.isEmpty()) {
            terminal.out().println("No functions deployed. Deploy one with: ./glambdar deploy PATH");
            return 0;
        }
        Table table = new Table("NAME", "VERSION", "INVOCATIONS", "ERRORS", "LAST STATUS", "LAST INVOKED (UTC)");
        for (Map<String, Object> function : functions) {
            table.row(function.get("name"), function.get("version"), function.get("invokeCount"),
                    function.get("errorCount"), function.get("lastStatus"), Text.time(function.get("lastInvokedAt")));
        }
        table.print(terminal.out());
        return 0;
    }
}

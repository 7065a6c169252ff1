package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code glambdar rm NAME}: deletes a function, every version, its keys and schedules ({@code DELETE /del/:name}). */
@Command(name = "rm", description = "Delete a function: every version, its keys and schedules; its queued"
        + " asynchronous invocations are cancelled.")
public final class RmCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Override
    int run(GlambdarClient client) {
        Reply reply = client.send("DELETE", "/del/" + segment(name), new byte[0]).orThrow();
        if (!printedJson(reply)) { // 204: with --json, nothing, as the server sent nothing
            terminal.out().println("deleted " + Text.oneLine(name));
        }
        return 0;
    }
}

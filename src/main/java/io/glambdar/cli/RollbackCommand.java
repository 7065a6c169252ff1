package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code glambdar rollback NAME [--to N]}: makes an earlier version active ({@code POST /rollback/:name}). */
@Command(name = "rollback", description = "Make an earlier version active: --to N, or by default the newest kept"
        + " version below the active one.")
public final class RollbackCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Option(names = "--to", paramLabel = "N", description = "The version to make active.")
    Integer version;

    @Override
    int run(GlambdarClient client) {
        byte[] body = version == null ? new byte[0]
                : Json.write(Map.of("version", version)).getBytes(StandardCharsets.UTF_8);
        Reply reply = client.send("POST", "/rollback/" + segment(name), body).orThrow();
        if (!printedJson(reply)) {
            terminal.out().println(Text.oneLine(name) + " now runs version " + Text.cell(reply.json().get("active")));
        }
        return 0;
    }
}

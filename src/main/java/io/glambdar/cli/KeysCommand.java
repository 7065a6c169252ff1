package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code glambdar keys NAME [create | ls | revoke ID]}: a function's invoke keys. */
@Command(name = "keys", description = "A function's invoke keys: create one (shown this once), list them (the"
        + " default), or revoke one.")
public final class KeysCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ACTION", defaultValue = "ls",
            description = "create, ls or revoke (default ${DEFAULT-VALUE}).")
    String action;

    @Parameters(index = "2", arity = "0..1", paramLabel = "ID", description = "The key id to revoke.")
    String keyId;

    @Override
    int run(GlambdarClient client) {
        String path = "/keys/" + segment(name);
        if (!action.equals("revoke") && keyId != null) {
            throw new ClientException("'keys NAME " + Text.oneLine(action) + "' takes no key id");
        }
        switch (action) {
            case "create" -> {
                Reply reply = client.send("POST", path, new byte[0]).orThrow();
                if (!printedJson(reply)) {
                    Map<String, Object> key = reply.json();
                    // The key alone on stdout, for a script to capture; the note on stderr.
                    terminal.out().println(Text.cell(key.get("key")));
                    terminal.err().println("created key " + Text.cell(key.get("keyId")) + " for " + Text.oneLine(name)
                            + ": keep it now, it is not shown again");
                }
            }
            case "ls" -> showTable(client, path, "keys",
                    "No invoke keys. Create one with: ./glambdar keys " + Text.oneLine(name) + " create",
                    new Table("KEY ID", "CREATED (UTC)", "LAST USED (UTC)"),
                    key -> new Object[]{key.get("keyId"), Text.time(key.get("createdAt")),
                            Text.time(key.get("lastUsedAt"))});
            case "revoke" -> {
                if (keyId == null) {
                    throw new ClientException("which key? ./glambdar keys " + Text.oneLine(name) + " revoke ID"
                            + " (the ids: ./glambdar keys " + Text.oneLine(name) + " ls)");
                }
                Reply reply = client.send("DELETE", path + "/" + segment(keyId), new byte[0]).orThrow();
                if (!printedJson(reply)) {
                    terminal.out().println("revoked key " + Text.oneLine(keyId) + " of " + Text.oneLine(name));
                }
            }
            default -> throw new ClientException("unknown action '" + Text.oneLine(action)
                    + "': use create, ls or revoke ID");
        }
        return 0;
    }
}

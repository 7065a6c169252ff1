package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.Objects;

/** {@code glambdar versions NAME}: the kept versions of a function, newest first, the active one marked. */
@Command(name = "versions", description = "List a function's kept versions, newest first; * marks the active one.")
public final class VersionsCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Override
    int run(GlambdarClient client) {
        return show(client, "/versions/" + segment(name), versions -> {
            Object active = versions.get("active");
            Table table = new Table("ACTIVE", "VERSION", "DEPLOYED (UTC)", "SIZE", "FILES", "SHA256");
            for (Map<String, Object> version : Json.objects(versions, "versions")) {
                Object sha = version.get("sha256");
                table.row(Objects.equals(version.get("version"), active) ? "*" : "", version.get("version"),
                        Text.time(version.get("deployedAt")), Text.bytes(version.get("codeSizeBytes")),
                        version.get("fileCount"),
                        sha instanceof String s && s.length() > 12 ? s.substring(0, 12) : sha);
            }
            table.print(terminal.out());
        });
    }
}

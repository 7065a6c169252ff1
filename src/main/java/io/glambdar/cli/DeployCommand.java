package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code glambdar deploy PATH [--name N]}: a folder (zipped in memory) or a zip, always as {@code PUT /deploy/:name}:
 * a new function gets version 1, an existing one its next version.
 */
@Command(name = "deploy", description = "Deploy a folder (zipped for you, leaving out what its .glambdarignore"
        + " lists, in .gitignore syntax, and .git/) or a .zip: a new function, or a new version of an existing one.")
public final class DeployCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "PATH", description = "A folder with index.js at its root, or a .zip.")
    Path path;

    @Option(names = "--name", paramLabel = "N", description = "The function's name (default: the folder's name, or"
            + " the zip's without .zip).")
    String name;

    @Override
    int run(GlambdarClient client) {
        Path source = path.toAbsolutePath().normalize();
        byte[] zip;
        String defaultName;
        try {
            if (Files.isDirectory(source)) {
                zip = FolderZip.of(source);
                defaultName = source.getFileName() == null ? "" : source.getFileName().toString();
            } else if (Files.isRegularFile(source) && source.getFileName().toString().toLowerCase(Locale.ROOT)
                    .endsWith(".zip")) {
                zip = Files.readAllBytes(source);
                String file = source.getFileName().toString();
                defaultName = file.substring(0, file.length() - ".zip".length());
            } else if (Files.exists(source)) {
                throw new ClientException(Text.oneLine(path.toString()) + " is neither a folder nor a .zip file");
            } else {
                throw new ClientException("no such folder or file: " + Text.oneLine(path.toString()));
            }
        } catch (IOException e) {
            throw new ClientException("cannot read " + Text.oneLine(path.toString()) + ": "
                    + Text.oneLine(e.getMessage()));
        }
        String function = name != null ? name : defaultName;
        Multipart body = new Multipart("file", function + ".zip", "application/zip", zip);
        UploadProgress progress = terminal.stderrIsTerminal() && zip.length >= UploadProgress.LARGE_UPLOAD_BYTES
                ? new UploadProgress(terminal.err(), function + ".zip", body.length()) : null;
        Reply reply = client.upload("PUT", "/deploy/" + segment(function), body.contentType(), body.length(),
                () -> progress == null ? body.stream() : progress.counting(body.stream())).orThrow();
        if (!printedJson(reply)) {
            Map<String, Object> deployed = reply.json();
            terminal.out().println("deployed " + Text.cell(deployed.get("function")) + " version "
                    + Text.cell(deployed.get("version")));
        }
        return 0;
    }
}

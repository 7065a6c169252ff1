package io.glambdar.cli;

import io.glambdar.store.FunctionName;
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
@Command(name = "deploy", description = "Deploy a folder or a .zip file: a new function, or a new version of an"
        + " existing one. A folder is zipped for you without .git/ and what its .glambdarignore files list"
        + " (.gitignore syntax).")
public final class DeployCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "PATH", description = "A folder with index.js at its root, or a .zip.")
    Path path;

    @Option(names = "--name", paramLabel = "N", description = "The function's name (default: the folder's name, or"
            + " the zip's without .zip).")
    String name;

    @Override
    int run(GlambdarClient client) {
        if (path.toString().isEmpty()) {
            throw new ClientException("an empty path was given; give the folder or zip to deploy (. for this folder)");
        }
        Path source = path.toAbsolutePath().normalize();
        boolean folder = Files.isDirectory(source);
        String file = source.getFileName() == null ? "" : source.getFileName().toString();
        if (!folder && !(Files.isRegularFile(source) && file.toLowerCase(Locale.ROOT).endsWith(".zip"))) {
            throw new ClientException(Files.exists(source)
                    ? Text.oneLine(path.toString()) + " is neither a folder nor a .zip file"
                    : "no such folder or file: " + Text.oneLine(path.toString()));
        }
        String function = name != null ? name : folder ? file : file.substring(0, file.length() - ".zip".length());
        if (!FunctionName.isValid(function)) { // as the server would say it, before zipping and uploading
            throw new ClientException((name != null ? "--name '" + Text.oneLine(name) + "' is not a valid name"
                    : "the " + (folder ? "folder's" : "zip's") + " name '" + Text.oneLine(function)
                    + "' is not a valid function name (give one with --name N)") + ": " + FunctionName.RULE);
        }
        byte[] zip;
        try {
            zip = folder ? FolderZip.of(source) : Files.readAllBytes(source);
        } catch (IOException e) {
            throw new ClientException("cannot read " + Text.oneLine(path.toString()) + ": "
                    + Text.oneLine(e.getMessage()));
        }
        Multipart body = new Multipart("file", function + ".zip", "application/zip", zip);
        UploadProgress progress = terminal.stderrIsTerminal() && zip.length >= UploadProgress.LARGE_UPLOAD_BYTES
                ? new UploadProgress(terminal.err(), function + ".zip", body.length()) : null;
        Reply reply;
        try {
            reply = client.upload("PUT", "/deploy/" + segment(function), body.contentType(), body.length(),
                    () -> progress == null ? body.stream() : progress.counting(body.stream())).orThrow();
        } finally {
            if (progress != null) {
                progress.end();
            }
        }
        if (!printedJson(reply)) {
            Map<String, Object> deployed = reply.json();
            terminal.out().println("deployed " + Text.cell(deployed.get("function")) + " version "
                    + Text.cell(deployed.get("version")));
        }
        return 0;
    }
}

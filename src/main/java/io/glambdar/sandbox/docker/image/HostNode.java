package io.glambdar.sandbox.docker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Node.js installed on this host: its binary and the shared libraries it loads, enough to make a minimal
 * image from when no Node image can be pulled.
 *
 * @param executable    the node binary
 * @param version       {@code process.version}, e.g. {@code v20.20.2}
 * @param sharedObjects the libraries as the dynamic loader opened them (loader paths, not resolved symlinks)
 */
public record HostNode(Path executable, String version, List<Path> sharedObjects) {

    // Asking node itself is exact for any build (official, Debian's libnode, nvm): the report lists what ld.so loaded.
    private static final String DESCRIBE_SCRIPT =
            "console.log(JSON.stringify({execPath: process.execPath, version: process.version,"
                    + " sharedObjects: process.report.getReport().sharedObjects}))";

    /** Finds node ({@code GLAMBDAR_HOST_NODE}, then {@code PATH}, then the usual places) and asks it what it loads. */
    public static Optional<HostNode> find() {
        for (Path candidate : candidates()) {
            if (Files.isExecutable(candidate)) {
                Optional<HostNode> node = describe(candidate);
                if (node.isPresent()) {
                    return node;
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> candidates() {
        Set<Path> paths = new LinkedHashSet<>();
        String explicit = System.getenv("GLAMBDAR_HOST_NODE");
        if (explicit != null && !explicit.isBlank()) {
            paths.add(Path.of(explicit));
        }
        String pathVar = System.getenv("PATH");
        if (pathVar != null) {
            for (String dir : pathVar.split(":")) {
                if (!dir.isBlank()) {
                    paths.add(Path.of(dir, "node"));
                }
            }
        }
        paths.add(Path.of("/usr/local/bin/node"));
        paths.add(Path.of("/usr/bin/node"));
        paths.add(Path.of("/usr/bin/nodejs"));
        return new ArrayList<>(paths);
    }

    static Optional<HostNode> describe(Path node) {
        try {
            Process process = new ProcessBuilder(node.toString(), "-e", DESCRIBE_SCRIPT)
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            JsonNode json = new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8));
            String version = json == null ? "" : json.path("version").asText();
            if (!version.matches("v\\d+\\..*")) { // exited 0 but did not answer like node
                return Optional.empty();
            }
            List<Path> libs = new ArrayList<>();
            for (JsonNode so : json.path("sharedObjects")) {
                String path = so.asText();
                if (path.startsWith("/") && Files.isRegularFile(Path.of(path))) { // skips linux-vdso.so.1
                    libs.add(Path.of(path));
                }
            }
            return Optional.of(new HostNode(Path.of(json.path("execPath").asText(node.toString())),
                    version, List.copyOf(libs)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

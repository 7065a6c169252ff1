package io.glambdar.bench;

import io.glambdar.app.Main;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Glambdar server ({@code glambdar serve}) in a JVM of its own, started from the bench's own Java and classpath:
 * its resident memory is then the server's alone, not the load generator's as well.
 */
final class ServerProcess implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofMinutes(2);
    /** A clean shutdown drains invocations and removes every container; only a stuck one takes longer. */
    private static final Duration STOP_LIMIT = Duration.ofMinutes(1);
    private static final int LOG_TAIL_LINES = 30;

    private final Process process;
    private final Path dir;
    private final Path log;
    private final ServerApi api;
    /** Stops the server if the bench itself is stopped, so that it does not run on without anyone to stop it. */
    private final Thread stopOnExit;

    private ServerProcess(Process process, Path dir, Path log, ServerApi api) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.api = api;
        this.stopOnExit = new Thread(process::destroy, "stop-server");
    }

    /**
     * Starts {@code glambdar serve} on {@code dir} with {@code options}, its output in {@code log}, and returns once
     * {@code GET /health} answers.
     */
    static ServerProcess start(Path dir, Path log, List<String> options) throws IOException, InterruptedException {
        return start(dir, log, options, null);
    }

    /** @param adminKey started in keyed mode with this admin key; null for open mode */
    static ServerProcess start(Path dir, Path log, List<String> options, String adminKey)
            throws IOException, InterruptedException {
        return start(dir, log, options, adminKey, Map.of());
    }

    /**
     * @param adminKey    started in keyed mode with this admin key; null for open mode
     * @param environment {@code GLAMBDAR_*} settings given to the server through its environment, the way an operator
     *                    sets them (the bench's own {@code GLAMBDAR_*} variables are never passed on)
     */
    static ServerProcess start(Path dir, Path log, List<String> options, String adminKey,
                               Map<String, String> environment) throws IOException, InterruptedException {
        Path absoluteDir = dir.toAbsolutePath().normalize();
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", // as the jar's manifest grants when run with -jar
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "serve", "--dir", absoluteDir.toString(), "--host", ServerApi.HOST, "--port", Integer.toString(port)));
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())); // a restarted server appends
        // The configuration is the defaults plus the options, whatever the bench's own environment sets.
        builder.environment().keySet().removeIf(name -> name.startsWith("GLAMBDAR_"));
        builder.environment().putAll(environment);
        if (adminKey != null) { // in the environment, not on the command line, where ps would show it
            builder.environment().put("GLAMBDAR_ADMIN_KEY", adminKey);
        }
        ServerProcess server = new ServerProcess(builder.start(), absoluteDir, log, new ServerApi(port, adminKey));
        Runtime.getRuntime().addShutdownHook(server.stopOnExit);
        try {
            server.awaitHealthy();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * A port nobody listens on now. Another process could take it before the server binds it; the server would then
     * fail to start, and say so in its log.
     */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before answering"
                        + " GET /health; the end of its log:\n" + logTail());
            }
            try {
                api.load();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the server did not answer GET /health within " + START_LIMIT.toSeconds()
                            + " s; the end of its log:\n" + logTail(), e);
                }
            }
            Thread.sleep(100);
        }
    }

    ServerApi api() {
        return api;
    }

    long pid() {
        return process.pid();
    }

    /** The server's base directory, absolute: the owner label of its containers. */
    Path dir() {
        return dir;
    }

    /** What the server has logged so far (a restarted server's log follows its earlier run's). */
    String logText() throws IOException {
        return Files.readString(log);
    }

    ProcessMemory memory() throws IOException {
        return ProcessMemory.of(process.pid());
    }

    /** SIGTERM, as an operator stops it: the server shuts down cleanly and exits 0. Killed only if it hangs. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            BenchCommand.progress("the server did not stop within " + STOP_LIMIT.toSeconds() + " s of SIGTERM;"
                    + " killing it (its containers may be left behind)");
            process.destroyForcibly().waitFor();
        } else if (process.exitValue() != 0) {
            BenchCommand.progress("the server exited with " + process.exitValue() + "; the end of its log:\n"
                    + logTail());
        }
        removeStopOnExit();
    }

    private void removeStopOnExit() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the bench is exiting already: the hook runs or has run, and the server is stopped either way
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}

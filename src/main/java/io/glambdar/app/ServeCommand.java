package io.glambdar.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code glambdar serve}: runs the HTTP API until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Glambdar server.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--dir", description = "Base directory (env GLAMBDAR_DIR, default ~/.glambdar).",
            defaultValue = "${env:GLAMBDAR_DIR}")
    String dir;

    @Option(names = "--host", description = "Address to listen on (env GLAMBDAR_HOST, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_HOST:-127.0.0.1}")
    String host;

    @Option(names = "--port", description = "HTTP port (env GLAMBDAR_PORT, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_PORT:-8000}")
    int port;

    @Option(names = "--image", description = "Node image for functions (env GLAMBDAR_IMAGE, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_IMAGE:-" + ServerConfig.DEFAULT_IMAGE + "}")
    String image;

    @Option(names = "--network", description = "Docker network for functions, e.g. none (env GLAMBDAR_NETWORK,"
            + " default: Docker's default).", defaultValue = "${env:GLAMBDAR_NETWORK}")
    String network;

    @Option(names = "--max-upload-mb", description = "Largest zip accepted (env GLAMBDAR_MAX_UPLOAD_MB, default"
            + " ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_MAX_UPLOAD_MB:-50}")
    long maxUploadMb;

    @Option(names = "--max-body-mb", description = "Largest invocation body (env GLAMBDAR_MAX_BODY_MB, default"
            + " ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_MAX_BODY_MB:-6}")
    long maxBodyMb;

    @Option(names = "--shutdown-grace", description = "Seconds SIGTERM waits for running invocations (env"
            + " GLAMBDAR_SHUTDOWN_GRACE, default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_SHUTDOWN_GRACE:-30}")
    long shutdownGraceSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig defaults = ServerConfig.defaults(baseDir());
        ServerConfig config = new ServerConfig(defaults.baseDir(), host, port, image,
                network == null || network.isBlank() ? null : network, defaults.containerUser(),
                defaults.pidsLimit(), defaults.tmpfsMb(), maxUploadMb * 1024 * 1024, maxBodyMb * 1024 * 1024,
                Duration.ofSeconds(shutdownGraceSeconds), defaults.pullTimeout());
        GlambdarServer server;
        try {
            server = GlambdarServer.start(config);
        } catch (RuntimeException e) {
            log.error("Cannot start: {}", e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // Our own handlers (not only a shutdown hook) so that a clean stop on SIGTERM/SIGINT exits with 0.
        for (String signal : new String[]{"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> {
                log.info("Received SIG{}", received.getName());
                server.close();
                stopped.countDown();
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        stopped.await();
        return 0;
    }

    private Path baseDir() {
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        Path fallback = Path.of(System.getProperty("user.home"), ".glambdar");
        log.info("GLAMBDAR_DIR is not set; using {}", fallback);
        return fallback;
    }
}

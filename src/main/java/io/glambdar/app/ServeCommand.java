package io.glambdar.app;

import io.glambdar.engine.EngineSettings;
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
            defaultValue = "${env:GLAMBDAR_HOST:-" + ServerConfig.DEFAULT_HOST + "}")
    String host;

    @Option(names = "--port", description = "HTTP port (env GLAMBDAR_PORT, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_PORT:-" + ServerConfig.DEFAULT_PORT + "}")
    int port;

    @Option(names = "--admin-key", description = "Admin key: every request then needs it, as 'Authorization: Bearer"
            + " <key>' (invocations also take invoke keys). Unset: open mode, no keys, loopback addresses only."
            + " Prefer the variable: a flag shows in the process list (env GLAMBDAR_ADMIN_KEY).",
            defaultValue = "${env:GLAMBDAR_ADMIN_KEY}")
    String adminKey;

    @Option(names = "--auth", description = "'none': no admin key, yet listen on a non-loopback address, behind a proxy"
            + " that authenticates every request (env GLAMBDAR_AUTH).", defaultValue = "${env:GLAMBDAR_AUTH}")
    String auth;

    @Option(names = "--image", description = "Node image for functions (env GLAMBDAR_IMAGE, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_IMAGE:-" + ServerConfig.DEFAULT_IMAGE + "}")
    String image;

    @Option(names = "--network", description = "Docker network for functions, e.g. none (env GLAMBDAR_NETWORK,"
            + " default: Docker's default).", defaultValue = "${env:GLAMBDAR_NETWORK}")
    String network;

    @Option(names = "--max-upload-mb", description = "Largest zip accepted (env GLAMBDAR_MAX_UPLOAD_MB, default"
            + " ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_MAX_UPLOAD_MB:-" + ServerConfig.DEFAULT_MAX_UPLOAD_MB + "}")
    long maxUploadMb;

    @Option(names = "--max-body-mb", description = "Largest invocation body (env GLAMBDAR_MAX_BODY_MB, default"
            + " ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_MAX_BODY_MB:-" + ServerConfig.DEFAULT_MAX_BODY_MB + "}")
    long maxBodyMb;

    @Option(names = "--max-response-mb", description = "Largest response body a function may return (env"
            + " GLAMBDAR_MAX_RESPONSE_MB, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_MAX_RESPONSE_MB:-" + ServerConfig.DEFAULT_MAX_RESPONSE_MB + "}")
    int maxResponseMb;

    @Option(names = "--shutdown-grace", description = "Seconds SIGTERM waits for running invocations (env"
            + " GLAMBDAR_SHUTDOWN_GRACE, default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_SHUTDOWN_GRACE:-" + ServerConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS + "}")
    long shutdownGraceSeconds;

    @Option(names = "--pool", negatable = true, description = "Keep warm single-use containers ready (env GLAMBDAR_POOL,"
            + " default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_POOL:-" + EngineSettings.DEFAULT_POOLING + "}", fallbackValue = "true")
    boolean pool;

    @Option(names = "--pool-max", description = "Most warm containers per function (env GLAMBDAR_POOL_MAX, default"
            + " ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_POOL_MAX:-" + EngineSettings.DEFAULT_POOL_MAX + "}")
    int poolMax;

    @Option(names = "--pool-max-total", description = "Most warm containers in all (env GLAMBDAR_POOL_MAX_TOTAL, default"
            + " ${DEFAULT-VALUE}, at most half the container limit).", defaultValue = "${env:GLAMBDAR_POOL_MAX_TOTAL:-" + EngineSettings.DEFAULT_POOL_MAX_TOTAL + "}")
    int poolMaxTotal;

    @Option(names = "--pool-idle", description = "Seconds without invocations before a function's warm containers are"
            + " dropped (env GLAMBDAR_POOL_IDLE_SECONDS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_POOL_IDLE_SECONDS:-" + EngineSettings.DEFAULT_POOL_IDLE_SECONDS + "}")
    long poolIdleSeconds;

    @Option(names = "--reuse", negatable = true, description = "Reuse mode for functions whose glambdar.json does not"
            + " choose (env GLAMBDAR_REUSE, default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_REUSE:-" + EngineSettings.DEFAULT_REUSE + "}",
            fallbackValue = "true")
    boolean reuse;

    @Option(names = "--reuse-max-containers", description = "Most containers of one reuse-mode function (env"
            + " GLAMBDAR_REUSE_MAX_CONTAINERS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_REUSE_MAX_CONTAINERS:-" + EngineSettings.DEFAULT_REUSE_MAX_CONTAINERS + "}")
    int reuseMaxContainers;

    @Option(names = "--reuse-max-uses", description = "Invocations before a reuse-mode container is replaced (env"
            + " GLAMBDAR_REUSE_MAX_USES, default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_REUSE_MAX_USES:-" + EngineSettings.DEFAULT_REUSE_MAX_USES + "}")
    int reuseMaxUses;

    @Option(names = "--reuse-idle", description = "Seconds an idle reuse-mode container is kept (env"
            + " GLAMBDAR_REUSE_IDLE_SECONDS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_REUSE_IDLE_SECONDS:-" + EngineSettings.DEFAULT_REUSE_IDLE_SECONDS + "}")
    long reuseIdleSeconds;

    @Option(names = "--max-memory-mb", description = "Most memory all function containers may reserve together, in MB"
            + " (env GLAMBDAR_MAX_MEMORY_MB, default: 3/4 of the Docker host's memory).",
            defaultValue = "${env:GLAMBDAR_MAX_MEMORY_MB:-0}")
    long maxMemoryMb;

    @Option(names = "--container-uid", description = "User and group id functions run as (env GLAMBDAR_CONTAINER_UID,"
            + " default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_CONTAINER_UID:-" + ServerConfig.DEFAULT_CONTAINER_UID + "}")
    int containerUid;

    @Option(names = "--queue-size", description = "Most invocations waiting for a container before 429 (env"
            + " GLAMBDAR_QUEUE_SIZE, default ${DEFAULT-VALUE}).", defaultValue = "${env:GLAMBDAR_QUEUE_SIZE:-" + EngineSettings.DEFAULT_QUEUE_SIZE + "}")
    int queueSize;

    @Option(names = "--queue-timeout", description = "Longest wait for a container, in seconds, before 429 (env"
            + " GLAMBDAR_QUEUE_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_QUEUE_TIMEOUT_SECONDS:-" + EngineSettings.DEFAULT_QUEUE_TIMEOUT_SECONDS + "}")
    long queueTimeoutSeconds;

    @Option(names = "--keep-versions", description = "Newest versions kept of each function, besides the active one"
            + " (env GLAMBDAR_KEEP_VERSIONS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_KEEP_VERSIONS:-" + ServerConfig.DEFAULT_KEEP_VERSIONS + "}")
    int keepVersions;

    @Option(names = "--async-concurrency", description = "Most asynchronous invocations running at once (env"
            + " GLAMBDAR_ASYNC_CONCURRENCY, default: half the container capacity).",
            defaultValue = "${env:GLAMBDAR_ASYNC_CONCURRENCY}")
    Integer asyncConcurrency;

    @Option(names = "--async-retention-hours", description = "Hours the records of ended asynchronous invocations are"
            + " kept, fractions allowed (env GLAMBDAR_ASYNC_RETENTION_HOURS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_ASYNC_RETENTION_HOURS:-168}")
    double asyncRetentionHours;

    @Option(names = "--callback-timeout", description = "Seconds one callback POST may take (env"
            + " GLAMBDAR_CALLBACK_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_CALLBACK_TIMEOUT_SECONDS:-" + AsyncOptions.DEFAULT_CALLBACK_TIMEOUT_SECONDS + "}")
    double callbackTimeoutSeconds;

    @Option(names = "--metrics", negatable = true, description = "Serve GET /metrics (Prometheus) and count"
            + " invocations for it (env GLAMBDAR_METRICS, default ${DEFAULT-VALUE}).",
            defaultValue = "${env:GLAMBDAR_METRICS:-true}", fallbackValue = "true")
    boolean metrics;

    ServerConfig config() {
        ServerConfig defaults = ServerConfig.defaults(baseDir());
        EngineSettings engine = new EngineSettings(pool, poolMax, poolMaxTotal, Duration.ofSeconds(poolIdleSeconds),
                reuse, reuseMaxContainers, reuseMaxUses, Duration.ofSeconds(reuseIdleSeconds), maxMemoryMb,
                queueSize, Duration.ofSeconds(queueTimeoutSeconds), defaults.engine().startTimeout(),
                defaults.engine().cleanupDelay());
        return new ServerConfig(defaults.baseDir(), host, port, null, image,
                network == null || network.isBlank() ? null : network, containerUid,
                defaults.pidsLimit(), maxUploadMb * ServerConfig.MIB, maxBodyMb * ServerConfig.MIB,
                (int) Math.min(Integer.MAX_VALUE / 4, maxResponseMb * ServerConfig.MIB),
                Duration.ofSeconds(shutdownGraceSeconds), defaults.pullTimeout(), engine, keepVersions,
                new AuthSettings(adminKey, auth), new AsyncOptions(asyncConcurrency, AsyncOptions.hours(asyncRetentionHours),
                Duration.ofMillis(Math.max(1, Math.round(callbackTimeoutSeconds * 1000)))), metrics);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (System.getenv("GLAMBDAR_MAX_CONTAINERS") != null) {
            log.warn("GLAMBDAR_MAX_CONTAINERS is no longer used: admission is by memory now; set"
                    + " GLAMBDAR_MAX_MEMORY_MB (in MB) instead");
        }
        if (keepVersions < 1) {
            log.error("Cannot start: GLAMBDAR_KEEP_VERSIONS must be at least 1, got {}", keepVersions);
            return 1;
        }
        ServerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            log.error("Cannot start: {}", e.getMessage());
            return 1;
        }
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
        Path fallback = defaultBaseDir(System.getenv("HOME"), System.getProperty("user.home"));
        log.info("GLAMBDAR_DIR is not set; using {}", fallback);
        return fallback;
    }

    /**
     * {@code ~/.glambdar}, where {@code ~} is {@code $HOME} as the shell has it: Java's {@code user.home} comes from
     * the password database and ignores a {@code HOME} the user set.
     */
    static Path defaultBaseDir(String homeVariable, String userHome) {
        String home = homeVariable != null && !homeVariable.isBlank() && Path.of(homeVariable).isAbsolute()
                ? homeVariable : userHome;
        return Path.of(home, ".glambdar");
    }
}

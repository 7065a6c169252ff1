package io.glambdar.app;

import io.glambdar.engine.EngineSettings;
import io.glambdar.store.settings.SettingsLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code glambdar serve}: runs the HTTP API until SIGTERM or SIGINT, then shuts down cleanly and exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Glambdar server.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    /** The log levels GLAMBDAR_LOG_LEVEL may name (logback's, which makes anything else DEBUG without a word). */
    static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    /** A Docker image reference: [registry[:port]/]name[/name...][:tag][@sha256:digest], names in lower case. */
    private static final Pattern IMAGE = Pattern.compile("(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?"
            + "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
            + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    /** A Docker network name, or a mode such as none, host or container:NAME. */
    private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.:-]*");
    /** One year, in seconds: the most any idle time may be. */
    private static final long YEAR_SECONDS = 365L * 24 * 3600;

    // Each option is read as text, without a default: SettingReader takes the flag when given, else the variable of
    // the same name (GLAMBDAR_ + the flag in capitals), else the default, and refuses a bad value in one line that
    // names the one the user set. Booleans are picocli's own, for their --no- forms.

    @Option(names = "--dir", description = "Base directory (env GLAMBDAR_DIR, default ~/.glambdar).")
    String dir;

    @Option(names = "--host", description = "Address to listen on (env GLAMBDAR_HOST, default "
            + ServerConfig.DEFAULT_HOST + ").")
    String host;

    @Option(names = "--port", description = "HTTP port, 0 to 65535 (env GLAMBDAR_PORT, default "
            + ServerConfig.DEFAULT_PORT + ").")
    String port;

    @Option(names = "--admin-key", description = "Admin key: every request then needs it, as 'Authorization: Bearer"
            + " <key>' (invocations also take invoke keys). Unset: open mode, no keys, loopback addresses only."
            + " Prefer the variable: a flag shows in the process list (env GLAMBDAR_ADMIN_KEY).")
    String adminKey;

    @Option(names = "--auth", description = "'none': no admin key, yet listen on a non-loopback address, behind a proxy"
            + " that authenticates every request (env GLAMBDAR_AUTH).")
    String auth;

    @Option(names = "--image", description = "Node image for functions (env GLAMBDAR_IMAGE, default "
            + ServerConfig.DEFAULT_IMAGE + ").")
    String image;

    @Option(names = "--network", description = "Docker network for functions, e.g. none (env GLAMBDAR_NETWORK,"
            + " default: Docker's default).")
    String network;

    @Option(names = "--max-upload-mb", description = "Largest zip accepted (env GLAMBDAR_MAX_UPLOAD_MB, default "
            + ServerConfig.DEFAULT_MAX_UPLOAD_MB + ").")
    String maxUploadMb;

    @Option(names = "--max-body-mb", description = "Largest invocation body (env GLAMBDAR_MAX_BODY_MB, default "
            + ServerConfig.DEFAULT_MAX_BODY_MB + ").")
    String maxBodyMb;

    @Option(names = "--max-response-mb", description = "Largest response body a function may return (env"
            + " GLAMBDAR_MAX_RESPONSE_MB, default " + ServerConfig.DEFAULT_MAX_RESPONSE_MB + ").")
    String maxResponseMb;

    @Option(names = "--shutdown-grace", description = "Seconds SIGTERM waits for running invocations (env"
            + " GLAMBDAR_SHUTDOWN_GRACE, default " + ServerConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS + ").")
    String shutdownGraceSeconds;

    @Option(names = "--pool", negatable = true, fallbackValue = "true", description = "Keep warm single-use containers"
            + " ready (env GLAMBDAR_POOL, default " + EngineSettings.DEFAULT_POOLING + ").")
    Boolean pool;

    @Option(names = "--pool-max", description = "Most warm containers per function (env GLAMBDAR_POOL_MAX, default "
            + EngineSettings.DEFAULT_POOL_MAX + ").")
    String poolMax;

    @Option(names = "--pool-max-total", description = "Most warm containers in all (env GLAMBDAR_POOL_MAX_TOTAL, default "
            + EngineSettings.DEFAULT_POOL_MAX_TOTAL + ", at most half the container limit).")
    String poolMaxTotal;

    @Option(names = {"--pool-idle-seconds", "--pool-idle"}, description = "Seconds without invocations before a"
            + " function's warm containers are dropped (env GLAMBDAR_POOL_IDLE_SECONDS, default "
            + EngineSettings.DEFAULT_POOL_IDLE_SECONDS + ").")
    String poolIdleSeconds;

    @Option(names = "--reuse", negatable = true, fallbackValue = "true", description = "Reuse mode for functions whose"
            + " glambdar.json does not choose (env GLAMBDAR_REUSE, default " + EngineSettings.DEFAULT_REUSE + ").")
    Boolean reuse;

    @Option(names = "--reuse-max-containers", description = "Most containers of one reuse-mode function (env"
            + " GLAMBDAR_REUSE_MAX_CONTAINERS, default " + EngineSettings.DEFAULT_REUSE_MAX_CONTAINERS + ").")
    String reuseMaxContainers;

    @Option(names = "--reuse-max-uses", description = "Invocations before a reuse-mode container is replaced (env"
            + " GLAMBDAR_REUSE_MAX_USES, default " + EngineSettings.DEFAULT_REUSE_MAX_USES + ").")
    String reuseMaxUses;

    @Option(names = {"--reuse-idle-seconds", "--reuse-idle"}, description = "Seconds an idle reuse-mode container is"
            + " kept (env GLAMBDAR_REUSE_IDLE_SECONDS, default " + EngineSettings.DEFAULT_REUSE_IDLE_SECONDS + ").")
    String reuseIdleSeconds;

    @Option(names = "--max-memory-mb", description = "Most memory all function containers may reserve together, in MB"
            + " (env GLAMBDAR_MAX_MEMORY_MB, default: 3/4 of the Docker host's memory).")
    String maxMemoryMb;

    @Option(names = "--container-uid", description = "User and group id functions run as (env GLAMBDAR_CONTAINER_UID,"
            + " default " + ServerConfig.DEFAULT_CONTAINER_UID + ").")
    String containerUid;

    @Option(names = "--queue-size", description = "Most invocations waiting for a container before 429 (env"
            + " GLAMBDAR_QUEUE_SIZE, default " + EngineSettings.DEFAULT_QUEUE_SIZE + ").")
    String queueSize;

    @Option(names = {"--queue-timeout-seconds", "--queue-timeout"}, description = "Longest wait for a container, in"
            + " seconds, before 429 (env GLAMBDAR_QUEUE_TIMEOUT_SECONDS, default "
            + EngineSettings.DEFAULT_QUEUE_TIMEOUT_SECONDS + ").")
    String queueTimeoutSeconds;

    @Option(names = "--keep-versions", description = "Newest versions kept of each function, besides the active one"
            + " (env GLAMBDAR_KEEP_VERSIONS, default " + ServerConfig.DEFAULT_KEEP_VERSIONS + ").")
    String keepVersions;

    @Option(names = "--async-concurrency", description = "Most asynchronous invocations running at once (env"
            + " GLAMBDAR_ASYNC_CONCURRENCY, default: half the container capacity).")
    String asyncConcurrency;

    @Option(names = "--async-retention-hours", description = "Hours the records of ended asynchronous invocations are"
            + " kept, fractions allowed (env GLAMBDAR_ASYNC_RETENTION_HOURS, default 168).")
    String asyncRetentionHours;

    @Option(names = {"--callback-timeout-seconds", "--callback-timeout"}, description = "Seconds one callback POST may"
            + " take (env GLAMBDAR_CALLBACK_TIMEOUT_SECONDS, default " + AsyncOptions.DEFAULT_CALLBACK_TIMEOUT_SECONDS
            + ").")
    String callbackTimeoutSeconds;

    @Option(names = "--metrics", negatable = true, fallbackValue = "true", description = "Serve GET /metrics"
            + " (Prometheus) and count invocations for it (env GLAMBDAR_METRICS, default true).")
    Boolean metrics;

    /** Where the variables are read: the process's environment, or a test's. */
    Map<String, String> env = System.getenv();

    /**
     * The configuration the flags and variables make.
     *
     * @throws SettingReader.BadSetting naming the flag or variable of a value that is not allowed, and what is
     */
    ServerConfig config() {
        SettingReader read = new SettingReader(env);
        read.choice("GLAMBDAR_LOG_LEVEL", null, "INFO", LOG_LEVELS); // logback read it already: only checked
        String hostNode = read.variable("GLAMBDAR_HOST_NODE");
        if (hostNode != null && !Files.isExecutable(Path.of(hostNode))) {
            throw new SettingReader.BadSetting("GLAMBDAR_HOST_NODE is '" + hostNode + "': it must be the path of an"
                    + " executable node");
        }
        Path baseDir = read.directory("GLAMBDAR_DIR", dir, null);
        ServerConfig defaults = ServerConfig.defaults(baseDir != null ? baseDir : defaultBaseDir());
        EngineSettings engine = new EngineSettings(
                read.bool("GLAMBDAR_POOL", pool, EngineSettings.DEFAULT_POOLING),
                read.wholeInt("GLAMBDAR_POOL_MAX", poolMax, EngineSettings.DEFAULT_POOL_MAX, 1, 10_000),
                read.wholeInt("GLAMBDAR_POOL_MAX_TOTAL", poolMaxTotal,
                        EngineSettings.DEFAULT_POOL_MAX_TOTAL, 1, 100_000),
                Duration.ofSeconds(read.whole("GLAMBDAR_POOL_IDLE_SECONDS", poolIdleSeconds,
                        EngineSettings.DEFAULT_POOL_IDLE_SECONDS, 1, YEAR_SECONDS)),
                read.bool("GLAMBDAR_REUSE", reuse, EngineSettings.DEFAULT_REUSE),
                read.wholeInt("GLAMBDAR_REUSE_MAX_CONTAINERS", reuseMaxContainers,
                        EngineSettings.DEFAULT_REUSE_MAX_CONTAINERS, 1, 10_000),
                read.wholeInt("GLAMBDAR_REUSE_MAX_USES", reuseMaxUses,
                        EngineSettings.DEFAULT_REUSE_MAX_USES, 1, Integer.MAX_VALUE),
                Duration.ofSeconds(read.whole("GLAMBDAR_REUSE_IDLE_SECONDS", reuseIdleSeconds,
                        EngineSettings.DEFAULT_REUSE_IDLE_SECONDS, 1, YEAR_SECONDS)),
                // 0: derived from the Docker host's memory; set, enough for the smallest function
                read.whole("GLAMBDAR_MAX_MEMORY_MB", maxMemoryMb, 0,
                        SettingsLimits.DEFAULT_MIN_MEMORY_MB, 16L * 1024 * 1024),
                read.wholeInt("GLAMBDAR_QUEUE_SIZE", queueSize, EngineSettings.DEFAULT_QUEUE_SIZE, 0,
                        1_000_000),
                Duration.ofSeconds(read.whole("GLAMBDAR_QUEUE_TIMEOUT_SECONDS", queueTimeoutSeconds,
                        EngineSettings.DEFAULT_QUEUE_TIMEOUT_SECONDS, 0, 3600)),
                defaults.engine().startTimeout(), defaults.engine().cleanupDelay());
        String networkMode = read.matching("GLAMBDAR_NETWORK", network, null, NETWORK,
                "it must be a Docker network name or mode such as none, bridge or container:NAME");
        Integer concurrency = read.variable("GLAMBDAR_ASYNC_CONCURRENCY") == null && asyncConcurrency == null ? null
                : read.wholeInt("GLAMBDAR_ASYNC_CONCURRENCY", asyncConcurrency, 0, 1, 10_000);
        double retentionHours = read.positive("GLAMBDAR_ASYNC_RETENTION_HOURS", asyncRetentionHours,
                AsyncOptions.DEFAULT_RETENTION_HOURS, 87_600);
        double callbackSeconds = read.positive("GLAMBDAR_CALLBACK_TIMEOUT_SECONDS", callbackTimeoutSeconds,
                AsyncOptions.DEFAULT_CALLBACK_TIMEOUT_SECONDS, 3600);
        return new ServerConfig(defaults.baseDir(),
                read.text("GLAMBDAR_HOST", host, ServerConfig.DEFAULT_HOST),
                read.wholeInt("GLAMBDAR_PORT", port, ServerConfig.DEFAULT_PORT, 0, 65_535), null,
                read.matching("GLAMBDAR_IMAGE", image, ServerConfig.DEFAULT_IMAGE, IMAGE,
                        "it must be an image reference such as node:22-slim or registry:5000/team/node:22"),
                networkMode,
                read.wholeInt("GLAMBDAR_CONTAINER_UID", containerUid,
                        ServerConfig.DEFAULT_CONTAINER_UID, 1, Integer.MAX_VALUE),
                defaults.pidsLimit(),
                read.whole("GLAMBDAR_MAX_UPLOAD_MB", maxUploadMb,
                        ServerConfig.DEFAULT_MAX_UPLOAD_MB, 1, 1024 * 1024) * ServerConfig.MIB,
                // held in memory whole, as one array: under 2 GiB
                read.whole("GLAMBDAR_MAX_BODY_MB", maxBodyMb, ServerConfig.DEFAULT_MAX_BODY_MB, 1,
                        2047) * ServerConfig.MIB,
                // the worker's reply is read into one array, base64 and all: under a quarter of 2 GiB
                (int) (read.whole("GLAMBDAR_MAX_RESPONSE_MB", maxResponseMb,
                        ServerConfig.DEFAULT_MAX_RESPONSE_MB, 1, 511) * ServerConfig.MIB),
                Duration.ofSeconds(read.whole("GLAMBDAR_SHUTDOWN_GRACE", shutdownGraceSeconds,
                        ServerConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS, 0, 3600)),
                defaults.pullTimeout(), engine,
                read.wholeInt("GLAMBDAR_KEEP_VERSIONS", keepVersions,
                        ServerConfig.DEFAULT_KEEP_VERSIONS, 1, 10_000),
                // the key as set, even empty: AuthSettings warns that an empty one requires nothing
                new AuthSettings(adminKey != null ? adminKey : env.get("GLAMBDAR_ADMIN_KEY"),
                        read.text("GLAMBDAR_AUTH", auth, null)),
                new AsyncOptions(concurrency, AsyncOptions.hours(retentionHours),
                        Duration.ofMillis(Math.max(1, Math.round(callbackSeconds * 1000)))),
                read.bool("GLAMBDAR_METRICS", metrics, true));
    }

    @Override
    public Integer call() throws InterruptedException {
        if (System.getenv("GLAMBDAR_MAX_CONTAINERS") != null) {
            log.warn("GLAMBDAR_MAX_CONTAINERS is no longer used: admission is by memory now; set"
                    + " GLAMBDAR_MAX_MEMORY_MB (in MB) instead");
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

    private static Path defaultBaseDir() {
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

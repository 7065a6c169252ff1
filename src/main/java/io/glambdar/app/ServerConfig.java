package io.glambdar.app;

import io.glambdar.engine.EngineSettings;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything an operator can set; see README "Configuration". Function-level settings live in each glambdar.json.
 *
 * @param baseDir        GLAMBDAR_DIR: functions, metadata, sockets, worker script
 * @param host           address the API listens on
 * @param port           0 picks a free port
 * @param dockerHost     Docker engine to use (as DOCKER_HOST), or null for the default
 * @param image          Node image functions run in
 * @param network        Docker network mode for function containers, or null for Docker's default
 * @param containerUid   user (and group) id functions run as
 * @param pidsLimit      most processes/threads per container
 * @param maxUploadBytes largest zip /deploy accepts
 * @param maxBodyBytes   largest request body /invoke accepts
 * @param maxResponseBytes largest response body a function may return
 * @param shutdownGrace  how long SIGTERM waits for invocations in progress
 * @param pullTimeout    how long to wait for an image pull at start-up
 * @param engine         pools, reuse and admission control; {@code maxMemoryMb} 0 means "derive from the host"
 * @param keepVersions   how many of each function's newest versions are kept (the active one always is)
 * @param auth           admin key and GLAMBDAR_AUTH: open or keyed mode
 * @param async          asynchronous invocations: concurrency, retention, callbacks
 * @param metrics        whether GET /metrics is served and invocations counted for it (GLAMBDAR_METRICS)
 */
public record ServerConfig(Path baseDir, String host, int port, String dockerHost, String image, String network,
                           int containerUid, long pidsLimit, long maxUploadBytes, long maxBodyBytes,
                           int maxResponseBytes, Duration shutdownGrace, Duration pullTimeout,
                           EngineSettings engine, int keepVersions, AuthSettings auth,
                           AsyncOptions async, boolean metrics) {

    // Defaults, shared with the command line's help (annotation values must be constants).
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final String DEFAULT_IMAGE = "node:22-slim";
    /** A dedicated unprivileged id (as distroless images use), unlikely to be a real user of the host. */
    public static final int DEFAULT_CONTAINER_UID = 65532;
    public static final int DEFAULT_MAX_UPLOAD_MB = 50;
    public static final int DEFAULT_MAX_BODY_MB = 6;
    public static final int DEFAULT_MAX_RESPONSE_MB = 6;
    public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
    public static final int DEFAULT_KEEP_VERSIONS = 10;
    static final long MIB = 1024L * 1024;

    /** Defaults for everything but the base directory (used by tests, and by the CLI for what it has no option for). */
    public static ServerConfig defaults(Path baseDir) {
        return new ServerConfig(baseDir, DEFAULT_HOST, DEFAULT_PORT, null, DEFAULT_IMAGE, null, DEFAULT_CONTAINER_UID,
                256, DEFAULT_MAX_UPLOAD_MB * MIB, DEFAULT_MAX_BODY_MB * MIB, (int) (DEFAULT_MAX_RESPONSE_MB * MIB),
                Duration.ofSeconds(DEFAULT_SHUTDOWN_GRACE_SECONDS), Duration.ofMinutes(5), EngineSettings.defaults(),
                DEFAULT_KEEP_VERSIONS, AuthSettings.OPEN, AsyncOptions.DEFAULTS, true);
    }

    public ServerConfig withMaxUploadBytes(long newMaxUploadBytes) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                newMaxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions,
                auth, async, metrics);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(baseDir, host, newPort, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions,
                auth, async, metrics);
    }

    public ServerConfig withDockerHost(String newDockerHost) {
        return new ServerConfig(baseDir, host, port, newDockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions,
                auth, async, metrics);
    }

    public ServerConfig withKeepVersions(int newKeepVersions) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, newKeepVersions, auth, async, metrics);
    }

    public ServerConfig withEngine(EngineSettings newEngine) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, newEngine, keepVersions, auth, async, metrics);
    }

    public ServerConfig withHost(String newHost) {
        return new ServerConfig(baseDir, newHost, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions,
                auth, async, metrics);
    }

    public ServerConfig withAuth(AuthSettings newAuth) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions,
                newAuth, async, metrics);
    }

    public ServerConfig withAsync(AsyncOptions newAsync) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions, auth,
                newAsync, metrics);
    }

    public ServerConfig withMetrics(boolean newMetrics) {
        return new ServerConfig(baseDir, host, port, dockerHost, image, network, containerUid, pidsLimit,
                maxUploadBytes, maxBodyBytes, maxResponseBytes, shutdownGrace, pullTimeout, engine, keepVersions, auth,
                async, newMetrics);
    }
}

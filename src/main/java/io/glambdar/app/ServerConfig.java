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
 * @param image          Node image functions run in
 * @param network        Docker network mode for function containers, or null for Docker's default
 * @param containerUser  uid:gid functions run as
 * @param pidsLimit      most processes/threads per container
 * @param tmpfsMb        size of each container's writable /tmp
 * @param maxUploadBytes largest zip /deploy accepts
 * @param maxBodyBytes   largest request body /invoke accepts
 * @param shutdownGrace  how long SIGTERM waits for invocations in progress
 * @param pullTimeout    how long to wait for an image pull at start-up
 * @param engine         pools, reuse and admission control; {@code maxContainers} 0 means "derive from memory"
 */
public record ServerConfig(Path baseDir, String host, int port, String image, String network, String containerUser,
                           long pidsLimit, int tmpfsMb, long maxUploadBytes, long maxBodyBytes,
                           Duration shutdownGrace, Duration pullTimeout, EngineSettings engine) {

    public static final String DEFAULT_IMAGE = "node:22-slim";

    /** Defaults for everything but the base directory (used by tests and as the CLI's defaults). */
    public static ServerConfig defaults(Path baseDir) {
        return new ServerConfig(baseDir, "127.0.0.1", 8000, DEFAULT_IMAGE, null, "1000:1000", 256, 64,
                50L * 1024 * 1024, 6L * 1024 * 1024, Duration.ofSeconds(30), Duration.ofMinutes(5),
                EngineSettings.defaults(0));
    }

    public ServerConfig withMaxUploadBytes(long newMaxUploadBytes) {
        return new ServerConfig(baseDir, host, port, image, network, containerUser, pidsLimit, tmpfsMb,
                newMaxUploadBytes, maxBodyBytes, shutdownGrace, pullTimeout, engine);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(baseDir, host, newPort, image, network, containerUser, pidsLimit, tmpfsMb,
                maxUploadBytes, maxBodyBytes, shutdownGrace, pullTimeout, engine);
    }

    public ServerConfig withEngine(EngineSettings newEngine) {
        return new ServerConfig(baseDir, host, port, image, network, containerUser, pidsLimit, tmpfsMb,
                maxUploadBytes, maxBodyBytes, shutdownGrace, pullTimeout, newEngine);
    }
}

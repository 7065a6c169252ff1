package io.glambdar.app;

import io.glambdar.engine.EngineSettings;
import io.glambdar.engine.InvocationEngine;
import io.glambdar.http.ApiServer;
import io.glambdar.ipc.WorkerSocket;
import io.glambdar.sandbox.DockerConnection;
import io.glambdar.sandbox.ImageProvisioner;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
import io.glambdar.sandbox.docker.DockerSandboxConfig;
import io.glambdar.store.FunctionStore;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.metadata.MetadataDatabase;
import io.glambdar.store.settings.SettingsLimits;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running Glambdar: wires the layers together in order (Docker, image, sandboxes, metadata, engine, store, HTTP)
 * and takes them down in reverse, leaving no container or socket behind.
 */
public final class GlambdarServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GlambdarServer.class);
    /** What Docker keeps of one container's output: enough to explain a crash, never enough to fill a disk. */
    private static final long CONTAINER_LOG_MAX_BYTES = 4L * 1024 * 1024;

    private final ServerConfig config;
    private final Deque<AutoCloseable> closeInReverse = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private InvocationEngine engine;
    private DockerSandboxBackend sandboxes;
    private ApiServer api;
    private String image;

    private GlambdarServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts everything or nothing: a failure part-way closes what was started and rethrows. */
    public static GlambdarServer start(ServerConfig config) {
        GlambdarServer server = new GlambdarServer(config);
        try {
            server.startLayers();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startLayers() {
        Path dir = config.baseDir().toAbsolutePath().normalize();
        prepareBaseDir(dir);

        DockerConnection docker = DockerConnection.open(config.dockerHost());
        closeInReverse.push(docker);
        image = new ImageProvisioner(docker, config.pullTimeout()).ensure(config.image());

        sandboxes = new DockerSandboxBackend(docker.client(), new DockerSandboxConfig(image, config.network(),
                config.containerUid(), config.pidsLimit(), config.tmpfsMb(), dir.resolve("sockets"),
                dir.resolve("runtime"), dir.toString(), 32 * 1024 * 1024, CONTAINER_LOG_MAX_BYTES));
        closeInReverse.push(sandboxes);
        int leftovers = sandboxes.removeLeftovers();
        if (leftovers > 0) {
            log.info("Removed {} containers left by an earlier run", leftovers);
        }

        MetadataDatabase db = MetadataDatabase.open(dir.resolve("glambdar.db"));
        closeInReverse.push(db);
        long maxMemoryMb = config.engine().maxMemoryMb() > 0 ? config.engine().maxMemoryMb()
                : EngineSettings.maxMemoryMbFor(docker.memoryBytes());
        EngineSettings engineSettings = config.engine().withMaxMemoryMb(maxMemoryMb);
        engine = new InvocationEngine(sandboxes, engineSettings);
        closeInReverse.push(engine);
        FunctionStore store = new FunctionStore(dir, db, engine, new SettingsParser(SettingsLimits.defaults()),
                ArchiveLimits.DEFAULTS, Clock.systemUTC());
        closeInReverse.push(store);

        Path uploads = dir.resolve("uploads");
        FileTrees.delete(uploads);
        createDirectories(uploads);
        api = new ApiServer(store, new ApiServer.Settings(config.host(), config.port(), config.maxUploadBytes(),
                config.maxBodyBytes(), uploads, config.shutdownGrace()), engine::load);
        closeInReverse.push(api);

        log.info("Glambdar listening on http://{}:{}", config.host(), api.port());
        log.info("Base directory {}", dir);
        log.info("{}, functions run in image {}", docker.describe(), image);
        log.info("Containers may reserve up to {} MB in all; warm pools {} (at most {} per function), reuse mode {}"
                        + " by default; functions run as uid {}",
                engineSettings.maxMemoryMb(), engineSettings.pooling() ? "on" : "off",
                engineSettings.poolMaxPerFunction(), engineSettings.reuseByDefault() ? "on" : "off",
                config.containerUid());
    }

    private static void prepareBaseDir(Path dir) {
        createDirectories(dir);
        // Checked now, not at the first invocation: each container's socket lives under sockets/.
        int socketPathBytes = DockerSandboxBackend.socketPathBytes(dir.resolve("sockets"));
        int excess = socketPathBytes - WorkerSocket.MAX_PATH_BYTES;
        if (excess > 0) {
            throw new IllegalStateException("GLAMBDAR_DIR " + dir + " is too long: the Unix sockets under it would"
                    + " need " + socketPathBytes + " bytes, and the limit is " + WorkerSocket.MAX_PATH_BYTES
                    + ". Use a shorter path (at most " + (dir.toString().length() - excess)
                    + " characters), e.g. ~/.glambdar");
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    public int port() {
        return api.port();
    }

    public String image() {
        return image;
    }

    /** Containers this server has alive now (running or being removed). */
    public int liveContainers() {
        return sandboxes == null ? 0 : sandboxes.liveCount();
    }

    /**
     * Stops: the HTTP server refuses new requests and lets those in progress finish (up to the shutdown grace), then
     * every container is removed, statistics are saved, and the sockets are deleted. Safe to call twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("Shutting down");
        while (!closeInReverse.isEmpty()) {
            AutoCloseable layer = closeInReverse.pop();
            try {
                layer.close();
                if (layer == api) { // requests that outlived the HTTP grace period still get theirs
                    engine.drain(config.shutdownGrace());
                }
            } catch (Exception e) {
                log.warn("Error while stopping {}: {}", layer.getClass().getSimpleName(), e.toString());
            }
        }
        log.info("Stopped");
    }
}

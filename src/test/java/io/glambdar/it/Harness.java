package io.glambdar.it;

import com.github.dockerjava.api.model.Container;
import io.glambdar.app.GlambdarServer;
import io.glambdar.app.ServerConfig;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
import io.glambdar.util.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A Glambdar server running in this JVM against the real Docker engine, in its own temporary base directory. */
final class Harness extends ApiClient {

    final Path dir;
    final GlambdarServer server;
    private final boolean ownsDir;

    private Harness(Path dir, GlambdarServer server, boolean ownsDir) {
        super("http://127.0.0.1:" + server.port());
        this.dir = dir;
        this.server = server;
        this.ownsDir = ownsDir;
    }

    static Harness start() {
        return start(config -> config);
    }

    /** A fresh base directory (short, under /tmp: socket paths are length-limited). */
    static Harness start(UnaryOperator<ServerConfig> customize) {
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new Harness(dir, GlambdarServer.start(customize.apply(ServerConfig.defaults(dir).withPort(0))), true);
        } catch (RuntimeException e) {
            FileTrees.delete(dir);
            throw e;
        }
    }

    /** A server on a base directory the caller owns (and deletes): for restarts. */
    static Harness startIn(Path dir, UnaryOperator<ServerConfig> customize) {
        return new Harness(dir, GlambdarServer.start(customize.apply(ServerConfig.defaults(dir).withPort(0))), false);
    }

    /** Containers (any state) that carry this server's owner label. */
    static List<Container> containersOf(Path dir) {
        try (DockerConnection docker = DockerConnection.open()) {
            return docker.client().listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_OWNER, dir.toAbsolutePath().normalize().toString()))
                    .exec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Container> containers() {
        return containersOf(dir);
    }

    /** Stops the server, then deletes its base directory if the harness made it. */
    @Override
    public void close() {
        super.close();
        server.close();
        if (ownsDir) {
            FileTrees.delete(dir);
        }
    }
}

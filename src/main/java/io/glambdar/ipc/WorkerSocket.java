package io.glambdar.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * A listening Unix domain socket for exactly one worker, at {@code <directory>/w.sock}: the directory is what gets
 * bind-mounted into the worker's container. {@link #close()} may come from any thread and unblocks {@link #accept()}.
 */
public final class WorkerSocket implements Closeable {

    /** Kept short: socket paths are limited (see {@link #MAX_PATH_BYTES}). */
    public static final String FILE_NAME = "w.sock";

    /** Longest socket path Linux takes: {@code sun_path} is 108 bytes with the terminating NUL. */
    public static final int MAX_PATH_BYTES = 107;

    private final Path path;
    private final ServerSocketChannel server;

    private WorkerSocket(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
    }

    /**
     * Listens at {@code directory/w.sock}, with file mode 0666: the worker runs as another, non-root user and needs
     * write permission on the socket file to connect. The directory must exist and be searchable by that user.
     */
    public static WorkerSocket bind(Path directory) throws IOException {
        Path path = directory.toAbsolutePath().resolve(FILE_NAME);
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new IOException("socket path " + path + " is " + length + " bytes long; Unix domain socket paths are "
                    + "limited to " + MAX_PATH_BYTES + " bytes, so use a shorter directory");
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
        }
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
        return new WorkerSocket(path, server);
    }

    /** Waits for the worker to connect, with {@link ReplyLimits#DEFAULTS}. */
    public WorkerConnection accept() throws IOException {
        return accept(ReplyLimits.DEFAULTS);
    }

    /**
     * Waits for one connection, then stops listening and deletes the socket file, so nobody else can connect.
     *
     * @param limits what the worker may send; give the worker the same body limit
     */
    public WorkerConnection accept(ReplyLimits limits) throws IOException {
        Objects.requireNonNull(limits, "limits");
        SocketChannel channel = server.accept();
        try {
            close();
            return new WorkerConnection(channel, limits);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The socket file: {@code <directory>/w.sock}, absolute. */
    public Path path() {
        return path;
    }

    /** Stops listening (a blocked {@link #accept()} fails) and deletes the socket file. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}

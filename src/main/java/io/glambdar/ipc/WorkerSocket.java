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
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening Unix domain socket for exactly one worker, at {@code <directory>/w.sock}: the directory is what gets
 * bind-mounted into the worker's container. Only a connection from the worker's uid is taken; any other is closed.
 * {@link #close()} may come from any thread and unblocks {@link #accept()}.
 */
public final class WorkerSocket implements Closeable {

    /** Kept short: socket paths are limited (see {@link #MAX_PATH_BYTES}). */
    public static final String FILE_NAME = "w.sock";

    /** Longest socket path Linux takes: {@code sun_path} is 108 bytes with the terminating NUL. */
    public static final int MAX_PATH_BYTES = 107;

    /** For {@link #bind}: admit a connection from any uid. Tests only: it lets any local user act as the worker. */
    public static final int ANY_PEER_UID = -1;

    private static final Logger log = LoggerFactory.getLogger(WorkerSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final PeerUid peer;

    private WorkerSocket(Path path, ServerSocketChannel server, PeerUid peer) {
        this.path = path;
        this.server = server;
        this.peer = peer;
    }

    /**
     * Listens at {@code directory/w.sock}, with file mode 0666: the worker runs as another, non-root user and needs
     * write permission on the socket file to connect. The directory must exist and be searchable by that user.
     *
     * @param expectedPeerUid the uid the worker runs as, as the kernel sees it from this process; connections from
     *                        any other uid are refused. {@link #ANY_PEER_UID} turns the check off (tests only)
     * @throws IOException when the socket cannot be made, or this platform cannot tell who connects
     */
    public static WorkerSocket bind(Path directory, int expectedPeerUid) throws IOException {
        PeerUid peer = PeerUid.of(expectedPeerUid);
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
        return new WorkerSocket(path, server, peer);
    }

    /** Waits for the worker to connect, with {@link ReplyLimits#DEFAULTS}. */
    public WorkerConnection accept() throws IOException {
        return accept(ReplyLimits.DEFAULTS);
    }

    /**
     * Waits for the worker's connection, then stops listening and deletes the socket file, so nobody else can connect.
     * A connection from another uid is closed (with a warning) and the wait goes on.
     *
     * @param limits what the worker may send; give the worker the same body limit
     */
    public WorkerConnection accept(ReplyLimits limits) throws IOException {
        Objects.requireNonNull(limits, "limits");
        for (;;) {
            SocketChannel channel = server.accept();
            if (!fromTheWorker(channel)) {
                channel.close();
                continue;
            }
            try {
                close();
                return new WorkerConnection(channel, limits);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /** Whether the peer is the worker's uid; logs a warning when it is not. */
    private boolean fromTheWorker(SocketChannel channel) {
        UserPrincipal user;
        try {
            user = PeerUid.peerOf(channel);
        } catch (IOException | RuntimeException e) {
            log.warn("Refused a connection to {}: cannot tell which user made it ({})", path, e.toString());
            return false;
        }
        if (peer.admits(user)) {
            return true;
        }
        // The JDK names a peer by its passwd name, or by its decimal uid when it has none.
        log.warn("Refused a connection to {} from uid/user {}: only the worker's uid {} may connect. If this happens"
                + " for every worker, Docker maps the container's users to other host uids (rootless Docker or"
                + " userns-remap) and the expected uid must be the mapped one", path, user.getName(), peer.uid());
        return false;
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

package io.glambdar.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The one user allowed to talk to a worker's socket. The socket file has to be writable by everyone (the server may not
 * be root, so it cannot hand the file to the container's user), so what keeps other local users out is the kernel's
 * record of who connected ({@code SO_PEERCRED}), checked here.
 */
final class PeerUid {

    private final int uid;
    private final UserPrincipal expected; // null: anyone

    private PeerUid(int uid, UserPrincipal expected) {
        this.uid = uid;
        this.expected = expected;
    }

    /**
     * @param uid the numeric uid the worker runs as; negative admits anyone (for tests only)
     * @throws IOException when this platform cannot tell who connected to a Unix domain socket
     */
    static PeerUid of(int uid) throws IOException {
        if (uid < 0) {
            return new PeerUid(uid, null);
        }
        if (!Platform.PEER_CREDENTIALS) {
            throw new IOException("this platform cannot tell which user connected to a Unix domain socket"
                    + " (SO_PEERCRED), so a worker's socket cannot be kept to the worker; run the server on Linux");
        }
        // The JDK gives a peer as a principal, not a number: its name is the user's passwd name, or the decimal uid
        // when the uid has no passwd entry. Looking up the decimal uid gives a principal that equals either form, as
        // these principals compare by uid. (Assumes no account has an all-digit name; useradd and systemd refuse them.)
        UserPrincipal expected = FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(Integer.toString(uid));
        return new PeerUid(uid, expected);
    }

    // Asked once: whether the JDK can read a Unix domain socket peer's credentials here.
    private static final class Platform {
        static final boolean PEER_CREDENTIALS = probe();

        private static boolean probe() {
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                return probe.supportedOptions().contains(ExtendedSocketOptions.SO_PEERCRED);
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
    }

    /** The numeric uid admitted, negative for anyone. */
    int uid() {
        return uid;
    }

    /** Whether {@code user} (a peer's, or a file owner's: the JDK makes both alike) is the one admitted. */
    boolean admits(UserPrincipal user) {
        return expected == null || expected.equals(user);
    }

    /** The user at the other end of {@code channel}, as the kernel recorded it when they connected. */
    static UserPrincipal peerOf(SocketChannel channel) throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        return peer.user();
    }
}

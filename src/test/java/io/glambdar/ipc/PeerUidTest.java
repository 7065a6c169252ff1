package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uid check on principals. A file's owner is built by the JDK exactly as a socket peer is (from the numeric uid,
 * named by getpwuid), so files stand in for peers of any uid; WorkerSocketTest checks real connections.
 */
class PeerUidTest {

    @TempDir
    Path dir;

    @Test
    void admitsOnlyTheExpectedUid() throws Exception {
        UserPrincipal me = Files.getOwner(Files.createFile(dir.resolve("mine")));

        assertThat(PeerUid.of(TestUsers.currentUid()).admits(me)).isTrue();
        assertThat(PeerUid.of(TestUsers.currentUid() + 1).admits(me)).isFalse();
        assertThat(PeerUid.of(WorkerSocket.ANY_PEER_UID).admits(me)).isTrue();
    }

    @Test
    void aUidWithAPasswdEntryIsNamedByItAndStillAdmittedByNumber() throws Exception {
        Assumptions.assumeTrue(TestUsers.isRoot(), "needs root to own a file as another user");
        UserPrincipal root = ownerAfterChown(0);

        assertThat(root.getName()).isEqualTo("root"); // not "0": comparing names with the number would refuse it
        assertThat(PeerUid.of(0).admits(root)).isTrue();
    }

    @Test
    void aUidWithoutAPasswdEntryIsNamedByItsNumberAndAdmitted() throws Exception {
        Assumptions.assumeTrue(TestUsers.isRoot(), "needs root to own a file as another user");
        int uid = TestUsers.uidWithoutPasswdEntry();
        UserPrincipal nobodyKnown = ownerAfterChown(uid);

        assertThat(nobodyKnown.getName()).isEqualTo(Integer.toString(uid));
        assertThat(PeerUid.of(uid).admits(nobodyKnown)).isTrue();
        assertThat(PeerUid.of(uid + 1).admits(nobodyKnown)).isFalse();
        assertThat(PeerUid.of(0).admits(nobodyKnown)).isFalse();
    }

    private UserPrincipal ownerAfterChown(int uid) throws Exception {
        Path file = Files.createFile(dir.resolve("owned-by-" + uid));
        Files.setAttribute(file, "unix:uid", uid);
        return Files.getOwner(file);
    }
}

package io.glambdar.sandbox.docker.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RootFsTest {

    @TempDir
    Path host;

    @Test
    void theTarballHasParentsFirstRootOwnershipModesAndLinks() throws IOException {
        Path binary = Files.writeString(host.resolve("node"), "binary");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        RootFs rootfs = new RootFs();
        rootfs.directory("tmp", 01777);
        rootfs.file("usr/local/bin/node", binary);
        rootfs.add(new RootFs.Symlink("lib", "usr/lib"));
        rootfs.add(new RootFs.Text("etc/passwd", "root:x:0:0::/:/bin/false\n", 0644));

        Map<String, TarArchiveEntry> tar = read(rootfs);

        assertThat(tar.keySet()).containsExactly("tmp/", "usr/", "usr/local/", "usr/local/bin/",
                "usr/local/bin/node", "lib", "etc/", "etc/passwd");
        assertThat(tar.values()).allSatisfy(entry -> {
            assertThat(entry.getLongUserId()).isZero();
            assertThat(entry.getLongGroupId()).isZero();
        });
        assertThat(tar.get("tmp/").getMode()).isEqualTo(041777);
        assertThat(tar.get("usr/local/bin/node").getMode()).isEqualTo(0100755);
        assertThat(tar.get("usr/local/bin/node").getSize()).isEqualTo(6);
        assertThat(tar.get("lib").isSymbolicLink()).isTrue();
        assertThat(tar.get("lib").getLinkName()).isEqualTo("usr/lib");
        assertThat(tar.get("etc/passwd").getMode()).isEqualTo(0100644);
    }

    @Test
    void twoDifferentEntriesAtOnePlaceAreAPlanningError() {
        RootFs rootfs = new RootFs();
        rootfs.add(new RootFs.Symlink("lib", "usr/lib"));
        rootfs.add(new RootFs.Symlink("lib", "usr/lib")); // the same twice is fine

        assertThatThrownBy(() -> rootfs.directory("lib", 0755))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two different entries at /lib");
    }

    @Test
    void theDigestFollowsWhatGoesIntoTheImage() {
        RootFs one = new RootFs();
        one.add(new RootFs.Text("etc/passwd", "a", 0644));
        RootFs same = new RootFs();
        same.add(new RootFs.Text("etc/passwd", "a", 0644));
        RootFs other = new RootFs();
        other.add(new RootFs.Text("etc/passwd", "b", 0644));

        assertThat(one.digest()).isEqualTo(same.digest()).isNotEqualTo(other.digest()).hasSize(64);
    }

    @Test
    void aHostFileThatChangedSincePlanningFailsTheBuild() throws IOException {
        Path file = Files.writeString(host.resolve("lib.so"), "12345");
        RootFs rootfs = new RootFs();
        rootfs.file("lib/lib.so", file);
        Files.writeString(file, "123");

        assertThatThrownBy(() -> rootfs.writeTar(new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/lib/lib.so changed while the image was being built");
    }

    private static Map<String, TarArchiveEntry> read(RootFs rootfs) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        rootfs.writeTar(bytes);
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes.toByteArray()),
                StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.put(entry.getName(), entry);
            }
        }
        return entries;
    }
}

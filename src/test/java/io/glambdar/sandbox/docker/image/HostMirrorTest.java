package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostMirrorTest {

    @TempDir
    Path host;

    private final RootFs rootfs = new RootFs();
    private final HostMirror mirror = new HostMirror(rootfs);
    private ImageTree image;

    @BeforeEach
    void realHost() throws IOException {
        host = host.toRealPath(); // the temp folder's own path must not hide a link
    }

    @Test
    void aLibraryReachedThroughLinksKeepsEveryLinkAndLandsOnce() throws IOException {
        // /lib -> usr/lib (merged /usr), soname link -> versioned file, as on Debian
        Path real = Files.createDirectories(host.resolve("usr/lib"));
        Files.writeString(real.resolve("libx.so.6.0.30"), "elf");
        Files.createSymbolicLink(real.resolve("libx.so.6"), Path.of("libx.so.6.0.30"));
        Files.createSymbolicLink(host.resolve("lib"), Path.of("usr/lib"));

        mirror.path(host.resolve("lib/libx.so.6"));
        image = new ImageTree(rootfs);

        assertThat(rootfs.entries()).contains(
                new RootFs.Symlink(RootFs.nameOf(host.resolve("lib")), "usr/lib"),
                new RootFs.Symlink(RootFs.nameOf(real.resolve("libx.so.6")), "libx.so.6.0.30"));
        assertThat(rootfs.entries()).filteredOn(entry -> entry instanceof RootFs.HostFile)
                .extracting(RootFs.Entry::name)
                .containsExactly(RootFs.nameOf(real.resolve("libx.so.6.0.30")));
        assertThat(image.isFile(host.resolve("lib/libx.so.6").toString())).isTrue();
        assertThat(image.isFile(host.resolve("usr/lib/libx.so.6").toString())).isTrue();
    }

    @Test
    void anAbsoluteLinkIsKeptAsWrittenAndItsTargetCopied() throws IOException {
        Path target = Files.writeString(Files.createDirectories(host.resolve("a")).resolve("ld.so.2"), "elf");
        Path link = Files.createSymbolicLink(Files.createDirectories(host.resolve("b")).resolve("ld.so.2"), target);

        mirror.path(link);

        assertThat(rootfs.entries()).contains(new RootFs.Symlink(RootFs.nameOf(link), target.toString()));
        assertThat(new ImageTree(rootfs).isFile(link.toString())).isTrue();
    }

    @Test
    void aTreeIsCopiedWithItsLinksAndWhatTheyLeadToOutsideIt() throws IOException {
        Path zoneinfo = Files.createDirectories(host.resolve("zoneinfo/Europe"));
        Files.writeString(zoneinfo.resolve("Berlin"), "TZif");
        Files.createSymbolicLink(host.resolve("zoneinfo/posix"), Path.of(".")); // as Debian's tzdata has it
        Files.createSymbolicLink(host.resolve("zoneinfo/CET"), Path.of("Europe/Berlin"));
        Path outside = Files.writeString(host.resolve("shared.pem"), "cert");
        Files.createSymbolicLink(host.resolve("zoneinfo/cert.pem"), outside);

        mirror.tree(host.resolve("zoneinfo"));
        image = new ImageTree(rootfs);

        assertThat(image.isFile(host.resolve("zoneinfo/Europe/Berlin").toString())).isTrue();
        assertThat(image.isFile(host.resolve("zoneinfo/posix/Europe/Berlin").toString())).isTrue();
        assertThat(image.isFile(host.resolve("zoneinfo/CET").toString())).isTrue();
        assertThat(image.isFile(host.resolve("zoneinfo/cert.pem").toString())).isTrue();
        assertThat(image.isFile(outside.toString())).isTrue();
    }

    @Test
    void modesComeFromTheHost() throws IOException {
        Path tool = Files.writeString(host.resolve("tool"), "#!");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-x---"));

        mirror.path(tool);

        assertThat(rootfs.entries()).filteredOn(entry -> entry.name().equals(RootFs.nameOf(tool)))
                .singleElement()
                .isInstanceOfSatisfying(RootFs.HostFile.class, file -> assertThat(file.mode()).isEqualTo(0750));
    }

    @Test
    void aDanglingLinkIsCopiedAsALink() throws IOException {
        Path link = Files.createSymbolicLink(host.resolve("gone"), Path.of("nowhere"));

        mirror.path(link);

        assertThat(rootfs.entries()).contains(new RootFs.Symlink(RootFs.nameOf(link), "nowhere"));
    }

    @Test
    void aLoopOfFolderLinksIsReportedNotFollowedForever() throws IOException {
        Files.createSymbolicLink(host.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(host.resolve("b"), Path.of("a"));

        assertThatThrownBy(() -> mirror.path(host.resolve("a/file")))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining("too many levels of symbolic links");
    }
}

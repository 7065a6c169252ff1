package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the stand-in image holds, planned from this host's Node.js (skipped on a host without one). */
class StandInImageTest {

    private static HostNode node;
    private static StandInImage image;
    private static ImageTree tree;
    private static Path libcFolder;

    @BeforeAll
    static void plan() throws IOException {
        node = HostNode.find().orElse(null);
        assumeTrue(node != null, "no Node.js on this host");
        image = StandInImage.plan(node);
        tree = new ImageTree(image.rootfs());
        libcFolder = node.sharedObjects().stream()
                .filter(lib -> lib.getFileName().toString().startsWith("libc.so"))
                .findFirst().orElseThrow().getParent();
    }

    @Test
    void nodeRunsFromWhereTheOfficialImagesHaveItWithEveryLibraryAtItsLoaderPath() {
        assertThat(tree.isFile("/usr/local/bin/node")).isTrue();
        assertThat(node.sharedObjects())
                .allSatisfy(lib -> assertThat(tree.isFile(lib.toString())).as(lib.toString()).isTrue());
    }

    @Test
    void theWholeCRuntimeIsThereUnderItsSonames() {
        assertThat(tree.isFile(libcFolder.resolve("libresolv.so.2").toString())).isTrue();
        for (String soname : List.of("libc.so.6", "libm.so.6", "libresolv.so.2", "libnss_files.so.2",
                "libnss_dns.so.2", "libpthread.so.0", "librt.so.1", "libdl.so.2", "libutil.so.1", "libanl.so.1",
                "libstdc++.so.6", "libgcc_s.so.1")) {
            Path library = libcFolder.resolve(soname);
            if (Files.exists(library)) {
                assertThat(tree.isFile(library.toString())).as(library.toString()).isTrue();
            }
        }
    }

    @Test
    void librariesThatAreNotGlibcsStayOut() {
        for (String other : List.of("libnss_systemd.so.2", "libnss3.so", "libz.so.1")) {
            assertThat(tree.resolve(libcFolder.resolve(other).toString())).as(other).isEmpty();
        }
    }

    @Test
    void caCertificatesAndTimeZonesComeFromTheHost() {
        assumeTrue(Files.isRegularFile(StandInImage.CA_BUNDLE), "no CA bundle on this host");
        assumeTrue(Files.isDirectory(StandInImage.ZONEINFO), "no time-zone data on this host");

        assertThat(tree.isFile("/etc/ssl/certs/ca-certificates.crt")).isTrue();
        assertThat(tree.isFile("/usr/share/zoneinfo/Europe/Berlin")).isTrue();
        assertThat(tree.isFile("/usr/share/zoneinfo/UTC")).isTrue();
    }

    @Test
    void theFunctionUserAndNodeHavePasswdAndGroupEntries() {
        String passwd = text("etc/passwd");
        assertThat(passwd).contains("\nglambdar:x:65532:65532:").contains("\nnode:x:1000:1000:");
        assertThat(text("etc/group")).contains("\nglambdar:x:65532:").contains("\nnode:x:1000:");
    }

    @Test
    void binShLeadsToTheHostsShellAndTheUtilitiesHaveTheirLibraries() {
        HostTools tools = HostTools.find();
        assumeTrue(tools.shell().isPresent(), "no dash or busybox on this host");

        assertThat(tree.isFile("/bin/sh")).isTrue();
        assertThat(tree.resolve("/bin/sh")).get().extracting(RootFs.Entry::name)
                .isEqualTo(tree.resolve(tools.shell().get().toString()).orElseThrow().name());
        assertThat(tools.utilities())
                .allSatisfy(program -> assertThat(tree.isFile(program.toString())).as(program.toString()).isTrue());
        assertThat(tools.libraries())
                .allSatisfy(library -> assertThat(tree.isFile(library.toString())).as(library.toString()).isTrue());
    }

    @Test
    void theToolsAreInTheTagSoAnImageBuiltWithoutThemIsNotReused() throws IOException {
        assumeTrue(HostTools.find().shell().isPresent(), "no dash or busybox on this host");

        StandInImage withoutTools = StandInImage.plan(node, new HostTools(Optional.empty(), List.of(), List.of()));

        assertThat(new ImageTree(withoutTools.rootfs()).resolve("/bin/sh")).isEmpty();
        assertThat(withoutTools.tag()).isNotEqualTo(image.tag());
    }

    @Test
    void theTagNamesTheNodeVersionAndTheRecipe() throws IOException {
        assertThat(image.tag()).matches("glambdar/node-local:" + node.version().substring(1).replace(".", "\\.")
                + "-[0-9a-f]{12}");
        assertThat(StandInImage.plan(node).tag()).isEqualTo(image.tag());
    }

    private static String text(String name) {
        return image.rootfs().entries().stream()
                .filter(entry -> entry.name().equals(name))
                .map(entry -> ((RootFs.Text) entry).content())
                .findFirst().orElseThrow();
    }
}

package io.glambdar.store.code;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import static io.glambdar.store.TestStore.names;
import static io.glambdar.store.TestStore.tree;
import static io.glambdar.store.TestStore.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeploymentFoldersTest {

    @TempDir
    Path dir;

    private DeploymentFolders folders;

    @BeforeEach
    void create() {
        folders = new DeploymentFolders(dir);
    }

    private void installed(String name, String deploymentId, String indexJs) throws IOException {
        Path staged = folders.newStagingFolder(name);
        write(staged, Map.of("index.js", indexJs));
        folders.install(staged, name, deploymentId);
    }

    @Test
    void aStagedFolderIsRenamedIntoItsDeploymentFolderReadableByTheFunctionsUser() throws IOException {
        Path staged = folders.newStagingFolder("f");
        assertThat(Files.getPosixFilePermissions(staged)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        write(staged, Map.of("index.js", "// f"));

        folders.install(staged, "f", "d1");

        assertThat(staged).doesNotExist();
        assertThat(folders.isInstalled("f", "d1")).isTrue();
        assertThat(tree(dir.resolve("deployments/f/d1"))).isEqualTo(Map.of("index.js", "// f"));
        assertThat(folders.codeDir("f", "d1", "")).isEqualTo(dir.resolve("deployments/f/d1"));
        assertThat(folders.codeDir("f", "d1", "pkg")).isEqualTo(dir.resolve("deployments/f/d1/pkg"));
    }

    @Test
    void activateSwitchesTheRelativeLinkAndLeavesNoTemporaryLinkBehind() throws IOException {
        installed("f", "d1", "// one");
        installed("f", "d2", "// two");
        Path link = dir.resolve("functions/f");

        folders.activate("f", "d1");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../deployments/f/d1"));
        assertThat(tree(link)).isEqualTo(Map.of("index.js", "// one"));
        assertThat(folders.linkedDeployment("f")).contains("d1");

        folders.activate("f", "d2");
        assertThat(tree(link)).isEqualTo(Map.of("index.js", "// two"));
        assertThat(folders.linkedDeployment("f")).contains("d2");
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(names(dir.resolve("functions"))).containsExactly("f");
    }

    @Test
    void aRealFolderInFunctionsIsNeverReplaced() throws IOException {
        installed("f", "d1", "// deployed");
        write(dir.resolve("functions/f"), Map.of("index.js", "// by hand"));

        assertThatThrownBy(() -> folders.activate("f", "d1")).isInstanceOf(FileAlreadyExistsException.class);

        assertThat(dir.resolve("functions/f/index.js")).hasContent("// by hand");
        assertThat(folders.isPlainFolder("f")).isTrue();
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void deactivateRemovesOnlyTheLinkToThatDeployment() throws IOException {
        installed("f", "d1", "// one");
        installed("f", "d2", "// two");
        folders.activate("f", "d2");

        folders.deactivate("f", "d1");
        assertThat(folders.linkedDeployment("f")).contains("d2");

        folders.deactivate("f", "d2");
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(folders.isInstalled("f", "d2")).isTrue(); // the code stays until it is discarded
    }

    /**
     * A delete's discard of the last deployment removes the name's folder while a deploy of the name, just after the
     * delete, makes it again: whichever step of the install it falls between, the install succeeds (PoolIT once got a
     * 500 from such a redeploy: createDirectories reported the folder that went between its check and its create as
     * already existing).
     */
    @Test
    void anInstallRacingTheDiscardOfTheNamesLastDeploymentSucceeds() throws Exception {
        for (int i = 0; i < 2000; i++) {
            installed("f", "old" + i, "// old");
            Path staged = folders.newStagingFolder("f");
            write(staged, Map.of("index.js", "// new"));
            String id = "new" + i;
            java.util.concurrent.CompletableFuture<Void> install = java.util.concurrent.CompletableFuture.runAsync(
                    () -> {
                        try {
                            folders.install(staged, "f", id);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            folders.discard("f", "old" + i);
            install.join();
            assertThat(folders.isInstalled("f", id)).isTrue();
            folders.discard("f", id);
        }
    }

    @Test
    void discardDeletesTheDeploymentAndTheNamesFolderOnceEmpty() throws IOException {
        installed("f", "d1", "// one");
        installed("f", "d2", "// two");

        folders.discard("f", "d1");
        assertThat(names(dir.resolve("deployments/f"))).containsExactly("d2");

        folders.discard("f", "d2");
        assertThat(names(dir.resolve("deployments"))).isEmpty();

        installed("f", "d3", "// three"); // and the name's folder comes back when needed
        assertThat(folders.isInstalled("f", "d3")).isTrue();
    }

    @Test
    void aFolderCopiedIntoFunctionsCanBeInstalledAsADeployment() throws IOException {
        write(dir.resolve("functions/f"), Map.of("index.js", "// by hand"));

        folders.installFromFunctionsFolder("f", "d1");
        folders.activate("f", "d1");

        assertThat(Files.isSymbolicLink(dir.resolve("functions/f"))).isTrue();
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// by hand"));
    }

    @Test
    void startUpCleaningKeepsOnlyWhatIsAskedFor() throws IOException {
        installed("kept", "d1", "// kept");
        installed("kept", "d0", "// older");
        installed("gone", "d9", "// gone");
        installed("versions", "v1", "// version 1");
        installed("versions", "v2", "// version 2");
        installed("versions", "v3", "// version 3");
        write(dir.resolve("staging/half-1"), Map.of("index.js", "// half"));
        write(dir.resolve("trash/old-1"), Map.of("index.js", "// from an earlier version"));
        Files.writeString(dir.resolve("deployments/stray-file"), "x");

        folders.deleteLeftovers();
        folders.deleteDeploymentsExcept(Map.of("kept", Set.of("d1"), "versions", Set.of("v1", "v3")));

        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("trash")).doesNotExist();
        assertThat(names(dir.resolve("deployments"))).containsExactly("kept", "versions");
        assertThat(names(dir.resolve("deployments/kept"))).containsExactly("d1");
        assertThat(names(dir.resolve("deployments/versions"))).containsExactly("v1", "v3");
    }

    @Test
    void discardDeletesLinksInTheCodeButNothingTheyLeadTo() throws IOException {
        Path outside = write(dir.resolve("outside"), Map.of("keep.txt", "keep"));
        Path staged = folders.newStagingFolder("f");
        write(staged, Map.of("index.js", "//", "lib/mod.js", "//"));
        Files.createSymbolicLink(staged.resolve("lib-link"), Path.of("lib"));
        Files.createSymbolicLink(staged.resolve("out"), outside); // never extracted so; deleting must not follow it
        Files.createSymbolicLink(staged.resolve("lib/keep"), outside.resolve("keep.txt"));
        folders.install(staged, "f", "d1");

        folders.discard("f", "d1");

        assertThat(dir.resolve("deployments/f")).doesNotExist();
        assertThat(tree(outside)).isEqualTo(Map.of("keep.txt", "keep"));
    }

    @Test
    void onlyLinksIntoTheNamesDeploymentsCountAsOurs() throws IOException {
        Files.createSymbolicLink(dir.resolve("functions/elsewhere"), dir);
        Files.createSymbolicLink(dir.resolve("functions/other"), Path.of("../deployments/f/d1"));
        write(dir.resolve("functions/plain"), Map.of("index.js", "//"));

        assertThat(folders.linkedDeployment("elsewhere")).isEmpty();
        assertThat(folders.linkedDeployment("other")).isEmpty();
        assertThat(folders.linkedDeployment("plain")).isEmpty();
        assertThat(folders.linkedDeployment("missing")).isEmpty();
        assertThat(folders.functionEntries()).containsExactly("elsewhere", "other", "plain");
    }
}

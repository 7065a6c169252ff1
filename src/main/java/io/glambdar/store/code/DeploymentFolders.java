package io.glambdar.store.code;

import io.glambdar.util.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where function code lives under the base directory:
 * <ul>
 *   <li>{@code deployments/<name>/<deploymentId>/}: one folder per deploy, staged and then renamed into place, never
 *       written again; invocations run from here, so a deploy never changes code under a running one;</li>
 *   <li>{@code functions/<name>}: a relative symbolic link to the active deployment's folder, switched atomically, so
 *       {@code functions/<name>/} shows exactly the unzipped upload, as the original promised;</li>
 *   <li>{@code staging/}: deploys being extracted, and links about to replace one in {@code functions/}.</li>
 * </ul>
 * Nothing here knows which deployment is active: callers decide, and hold the function's name while they change its
 * folders.
 */
public final class DeploymentFolders {

    private static final Set<PosixFilePermission> READABLE_BY_ALL = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path functionsDir;
    private final Path deploymentsDir;
    private final Path stagingDir;
    private final Path legacyTrashDir;

    /** Creates the folders under {@code baseDir} that do not exist yet. */
    public DeploymentFolders(Path baseDir) {
        this.functionsDir = baseDir.resolve("functions");
        this.deploymentsDir = baseDir.resolve("deployments");
        this.stagingDir = baseDir.resolve("staging");
        this.legacyTrashDir = baseDir.resolve("trash");
        try {
            for (Path dir : List.of(functionsDir, deploymentsDir, stagingDir)) {
                Files.createDirectories(dir);
            }
            Files.setPosixFilePermissions(functionsDir, READABLE_BY_ALL);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folders under " + baseDir, e);
        }
    }

    // ---------------------------------------------------------------- deploying

    /** A new empty folder to extract a deploy of {@code name} into, readable by the function's user. */
    public Path newStagingFolder(String name) throws IOException {
        Path staged = Files.createTempDirectory(stagingDir, name + "-");
        Files.setPosixFilePermissions(staged, READABLE_BY_ALL);
        return staged;
    }

    /** Renames a staged folder into place as the code of a deployment: readers see all of it or none of it. */
    public void install(Path staged, String name, String deploymentId) throws IOException {
        Path target = deploymentDir(name, deploymentId);
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createDirectories(target.getParent());
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (NoSuchFileException | FileAlreadyExistsException e) {
                // discard() removed the name's folder, emptied by the last delete, while this made or used it: again.
                // (createDirectories says "already exists" of a folder that went between its own check and create.)
                if (attempt == 3 || !Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Renames a plain folder {@code functions/<name>/} (copied in by hand, or written by a Glambdar from before
     * deployment folders) into place as the code of a deployment.
     */
    public void installFromFunctionsFolder(String name, String deploymentId) throws IOException {
        install(functionsDir.resolve(name), name, deploymentId);
    }

    public Path deploymentDir(String name, String deploymentId) {
        return deploymentsDir.resolve(name).resolve(deploymentId);
    }

    /** The folder holding {@code index.js}: the deployment's folder, or the one folder in it that wraps everything. */
    public Path codeDir(String name, String deploymentId, String codeRoot) {
        return CodeRoot.resolve(deploymentDir(name, deploymentId), codeRoot);
    }

    public boolean isInstalled(String name, String deploymentId) {
        return Files.isDirectory(deploymentDir(name, deploymentId), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Points {@code functions/<name>} at a deployment: a new link is made in {@code staging/} and renamed over the old
     * one, so there is always either the old or the new link, never none.
     *
     * @throws FileAlreadyExistsException when {@code functions/<name>} is a real folder, which is never replaced
     */
    public void activate(String name, String deploymentId) throws IOException {
        Path link = functionsDir.resolve(name);
        if (isPlainFolder(name)) {
            throw new FileAlreadyExistsException(link.toString(), null, "a folder, not a link, is in the way");
        }
        // staging/ and functions/ are siblings: the same relative target resolves to the same folder from both.
        Path temporary = stagingDir.resolve(name + "-" + UUID.randomUUID() + ".link");
        Files.createSymbolicLink(temporary, linkTarget(name, deploymentId));
        try {
            Files.move(temporary, link, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Removes {@code functions/<name>} if it is the link to this deployment (and leaves anything else alone). */
    public void deactivate(String name, String deploymentId) throws IOException {
        if (linkedDeployment(name).filter(deploymentId::equals).isPresent()) {
            Files.deleteIfExists(functionsDir.resolve(name));
        }
    }

    /**
     * Deletes a deployment's code, and the name's folder in {@code deployments/} once it holds no other deployment.
     * Safe at any time, also while another deployment of the name is being installed.
     */
    public void discard(String name, String deploymentId) {
        FileTrees.delete(deploymentDir(name, deploymentId));
        try {
            Files.deleteIfExists(deploymentsDir.resolve(name));
        } catch (DirectoryNotEmptyException e) {
            // another deployment of the name is still there
        } catch (IOException e) {
            // left for the next start-up
        }
    }

    // ---------------------------------------------------------------- start-up

    /** Deletes what a crash left half done: deploys in {@code staging/}, and the {@code trash/} of earlier versions. */
    public void deleteLeftovers() {
        FileTrees.deleteContents(stagingDir);
        FileTrees.delete(legacyTrashDir);
    }

    /** Names of the entries in {@code functions/}, sorted (links, folders, and whatever else was put there). */
    public List<String> functionEntries() {
        try (Stream<Path> entries = Files.list(functionsDir)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + functionsDir, e);
        }
    }

    public Path functionEntry(String name) {
        return functionsDir.resolve(name);
    }

    /** Whether {@code functions/<name>} is a folder of its own rather than a link. */
    public boolean isPlainFolder(String name) {
        return Files.isDirectory(functionsDir.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** The deployment {@code functions/<name>} links to, if it is a link this class made. */
    public Optional<String> linkedDeployment(String name) {
        Path link = functionsDir.resolve(name);
        if (!Files.isSymbolicLink(link)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(link);
            return linksParent(name).equals(target.getParent())
                    ? Optional.of(target.getFileName().toString()) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the link " + link, e);
        }
    }

    /** Removes a link in {@code functions/} that no deployment owns any more. */
    public void removeLink(String name) throws IOException {
        Path link = functionsDir.resolve(name);
        if (Files.isSymbolicLink(link)) {
            Files.deleteIfExists(link);
        }
    }

    /** Deletes every deployment folder except those in {@code keep} (name to its deployment ids). */
    public void deleteDeploymentsExcept(Map<String, Set<String>> keep) {
        for (Path nameDir : list(deploymentsDir)) {
            Set<String> kept = keep.get(nameDir.getFileName().toString());
            if (kept == null || !Files.isDirectory(nameDir, LinkOption.NOFOLLOW_LINKS)) {
                FileTrees.delete(nameDir);
                continue;
            }
            for (Path deployment : list(nameDir)) {
                if (!kept.contains(deployment.getFileName().toString())) {
                    FileTrees.delete(deployment);
                }
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** Relative, so the base directory can be moved or mounted elsewhere. */
    private static Path linkTarget(String name, String deploymentId) {
        return linksParent(name).resolve(deploymentId);
    }

    /** Where the links of {@code functions/<name>} point into, relative to {@code functions/}. */
    private static Path linksParent(String name) {
        return Path.of("..", "deployments", name);
    }
}

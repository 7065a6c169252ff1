package io.glambdar.cli;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A folder zipped in memory for {@code deploy}: its files at the zip's root (so {@code index.js} is at the root, as
 * the server wants), in name order, minus what {@link IgnoreRules} leaves out (a sub-folder's own
 * {@code .glambdarignore} read on the way down), each with its Unix mode (as
 * {@code zip -r} keeps it: an executable stays executable). A folder left out is not descended into, as git does.
 * <p>A symbolic link is zipped as what it leads to (the server would also take one that stays inside; a copy reads
 * the same to the function), and only when that is inside
 * the folder ({@code node_modules/.bin/x -> ../x/bin/x.js}, pnpm's and workspaces' linked packages): one leading out of
 * it (a cloned repository's {@code key -> ~/.ssh/id_rsa}) or nowhere is an error, before anything is sent. A link back
 * up to a folder being zipped is left out: a zip cannot hold a loop.
 */
final class FolderZip {

    /** The file-type bits of a regular file in a Unix mode. */
    private static final int REGULAR_FILE = 0100000;
    private static final int DEFAULT_PERMISSIONS = 0644;

    private FolderZip() {
    }

    /** The zip's bytes. */
    static byte[] of(Path folder) throws IOException {
        IgnoreRules rules = IgnoreRules.of(folder);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (String file : files(folder, rules)) {
                Path source = folder.resolve(file);
                ZipArchiveEntry entry = new ZipArchiveEntry(file);
                entry.setLastModifiedTime(Files.getLastModifiedTime(source));
                entry.setUnixMode(REGULAR_FILE | permissions(source));
                zip.putArchiveEntry(entry);
                Files.copy(source, zip);
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * The files that go into the zip, relative to {@code folder} with {@code /} between names, sorted.
     *
     * @throws ClientException naming a symbolic link that leads out of the folder or nowhere
     */
    static List<String> files(Path folder, IgnoreRules rules) throws IOException {
        Path root = folder.toRealPath();
        List<String> files = new ArrayList<>();
        Set<Path> descending = new HashSet<>(Set.of(root));
        collect(root, folder, "", rules, descending, files);
        return files;
    }

    /** @param descending the real paths of the folders being zipped from the root down to {@code folder} */
    private static void collect(Path root, Path folder, String prefix, IgnoreRules rules, Set<Path> descending,
                                List<String> files) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(folder)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String path = prefix + child.getFileName().toString();
            boolean directory = Files.isDirectory(child); // a link as what it leads to
            if (rules.excludes(path, directory)) {
                continue;
            }
            if (Files.isSymbolicLink(child)) {
                requireInside(root, child, path);
            }
            if (directory) {
                Path real = child.toRealPath();
                if (descending.add(real)) {
                    collect(root, child, path + "/", rules.within(child, path), descending, files);
                    descending.remove(real);
                }
            } else if (Files.isRegularFile(child)) {
                files.add(path);
            }
        }
    }

    /** Refuses the link at {@code path} unless it resolves to something inside {@code root} (a real path). */
    private static void requireInside(Path root, Path link, String path) throws IOException {
        String named = Text.oneLine(path) + " is a symbolic link to "
                + Text.oneLine(Files.readSymbolicLink(link).toString());
        String howToGoOn = ": remove it (or put a copy of what it points to in its place), or list it in "
                + IgnoreRules.FILE_NAME + " to deploy without it";
        Path target;
        try {
            target = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ClientException(named + ", which does not exist" + howToGoOn);
        } catch (FileSystemException e) {
            throw new ClientException(named + ", which cannot be followed (" + Text.oneLine(e.getReason()) + ")"
                    + howToGoOn);
        }
        if (!target.startsWith(root)) {
            throw new ClientException(named + ", outside the folder (deploy follows links only within it)"
                    + howToGoOn);
        }
    }

    /** The permission bits of {@code file} (of what it leads to); {@code 0644} where the file system has none. */
    private static int permissions(Path file) throws IOException {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return DEFAULT_PERMISSIONS;
        }
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            // declared from OWNER_READ (0400) down to OTHERS_EXECUTE (0001)
            mode |= 0400 >> permission.ordinal();
        }
        return mode;
    }
}

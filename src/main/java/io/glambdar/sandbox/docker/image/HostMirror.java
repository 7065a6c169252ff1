package io.glambdar.sandbox.docker.image;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Copies host paths into a {@link RootFs} at the same places, keeping the host's symbolic links as links (and
 * copying what they lead to): every path that resolves on the host resolves the same way in the image — soname
 * links ({@code libstdc++.so.6 -> libstdc++.so.6.0.30}), a merged {@code /usr} ({@code /lib -> usr/lib}), time-zone
 * aliases, CA hash links.
 */
final class HostMirror {

    /** Linux's limit too: a longer chain of links is a loop. */
    private static final int MAX_LINKS = 40;

    private final RootFs rootfs;
    private final Set<Path> copied = new HashSet<>();

    HostMirror(RootFs rootfs) {
        this.rootfs = rootfs;
    }

    /** Copies {@code path} (a file, a link, or a folder without its content) and the folders and links to it. */
    void path(Path path) throws IOException {
        path(path, 0);
    }

    /** Copies the folder {@code dir} with everything under it. */
    void tree(Path dir) throws IOException {
        path(dir);
        Files.walkFileTree(dir.toRealPath(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) throws IOException {
                path(folder);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                path(file);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void path(Path path, int links) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null) {
            return; // the root itself
        }
        Path at = realFolder(parent, links).resolve(path.getFileName());
        if (!copied.add(at)) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(at, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        String name = RootFs.nameOf(at);
        if (attributes.isSymbolicLink()) {
            Path target = Files.readSymbolicLink(at);
            rootfs.add(new RootFs.Symlink(name, target.toString()));
            Path resolved = at.getParent().resolve(target);
            if (Files.exists(resolved)) { // a dangling link is copied as it is
                path(resolved, checkDepth(at, links + 1));
            }
        } else if (attributes.isDirectory()) {
            rootfs.directory(name, RootFs.mode(attributes));
        } else if (attributes.isRegularFile()) {
            rootfs.add(RootFs.hostFile(name, at, attributes));
        }
        // sockets, pipes and devices have no place in an image
    }

    /** The link-free path of the folder {@code dir}, copying every folder and link on the way. */
    private Path realFolder(Path dir, int links) throws IOException {
        Path current = dir.getRoot();
        for (Path part : dir) {
            String name = part.toString();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.getParent() == null ? current : current.getParent(); // current has no links
                continue;
            }
            Path next = current.resolve(name);
            PosixFileAttributes attributes = Files.readAttributes(next, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                Path target = Files.readSymbolicLink(next);
                rootfs.add(new RootFs.Symlink(RootFs.nameOf(next), target.toString()));
                current = realFolder(current.resolve(target), checkDepth(next, links + 1));
            } else if (attributes.isDirectory()) {
                rootfs.directory(RootFs.nameOf(next), RootFs.mode(attributes));
                current = next;
            } else {
                throw new FileSystemException(next.toString(), null, "not a folder");
            }
        }
        return current;
    }

    private static int checkDepth(Path at, int links) throws FileSystemException {
        if (links > MAX_LINKS) {
            throw new FileSystemException(at.toString(), null, "too many levels of symbolic links");
        }
        return links;
    }
}

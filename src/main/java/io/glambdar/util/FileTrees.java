package io.glambdar.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/** Whole-folder operations that never follow symbolic links out of the folder. */
public final class FileTrees {

    private FileTrees() {
    }

    /** Files and bytes under a folder. */
    public record Size(long bytes, int files) {
    }

    /** Deletes a file or folder tree, best effort: what cannot be deleted is left (and tried again at next start). */
    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // someone else deleted it first
        } catch (IOException e) {
            // best effort, see above
        }
    }

    /** Deletes everything inside a folder, keeping the folder. */
    public static void deleteContents(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            children.forEach(FileTrees::delete);
        } catch (NoSuchFileException e) {
            // nothing to delete
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    public static Size size(Path root) throws IOException {
        long[] totals = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    totals[0] += attrs.size();
                    totals[1]++;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new Size(totals[0], (int) totals[1]);
    }
}

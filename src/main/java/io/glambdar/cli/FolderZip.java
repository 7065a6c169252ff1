package io.glambdar.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A folder zipped in memory for {@code deploy}: its files at the zip's root (so {@code index.js} is at the root, as
 * the server wants), in name order, minus what {@link IgnoreRules} leaves out. A folder left out is not descended
 * into, as git does. Links to folders are not followed; a link to a file is zipped as the file.
 */
final class FolderZip {

    private FolderZip() {
    }

    /** The zip's bytes. */
    static byte[] of(Path folder) throws IOException {
        IgnoreRules rules = IgnoreRules.of(folder);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String file : files(folder, rules)) {
                Path source = folder.resolve(file);
                ZipEntry entry = new ZipEntry(file);
                entry.setLastModifiedTime(Files.getLastModifiedTime(source));
                zip.putNextEntry(entry);
                Files.copy(source, zip);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The files that go into the zip, relative to {@code folder} with {@code /} between names, sorted. */
    static List<String> files(Path folder, IgnoreRules rules) throws IOException {
        List<String> files = new ArrayList<>();
        collect(folder, "", rules, files);
        return files;
    }

    private static void collect(Path folder, String prefix, IgnoreRules rules, List<String> files) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(folder)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String path = prefix + child.getFileName().toString();
            boolean directory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            if (rules.excludes(path, directory)) {
                continue;
            }
            if (directory) {
                collect(child, path + "/", rules, files);
            } else if (Files.isRegularFile(child)) {
                files.add(path);
            }
        }
    }
}

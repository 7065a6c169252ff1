package io.glambdar.sandbox.docker.image;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image's root file system, planned entry by entry (names relative to {@code /}), then written as the tarball
 * {@code docker import} takes. Every parent folder is added before its children; a name planned twice must mean the
 * same thing both times.
 */
final class RootFs {

    /** One entry of the tarball. */
    sealed interface Entry permits Directory, HostFile, Symlink, Text {
        String name();

        /** A line that changes whenever what the entry puts into the image may change. */
        String describe();
    }

    record Directory(String name, int mode) implements Entry {
        @Override
        public String describe() {
            return "d " + name + " " + Integer.toOctalString(mode);
        }
    }

    /** A copy of a host file; size and modification time as planned, to notice a file changed since. */
    record HostFile(String name, Path source, int mode, long size, long modifiedMillis) implements Entry {
        @Override
        public String describe() {
            return "f " + name + " " + Integer.toOctalString(mode) + " " + size + " " + modifiedMillis + " " + source;
        }
    }

    record Symlink(String name, String target) implements Entry {
        @Override
        public String describe() {
            return "l " + name + " " + target;
        }
    }

    record Text(String name, String content, int mode) implements Entry {
        @Override
        public String describe() {
            return "t " + name + " " + Integer.toOctalString(mode) + " " + content.replace("\n", "\\n");
        }
    }

    private static final int PARENT_MODE = 0755;

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** The tar name of an absolute host path: the same place in the image. */
    static String nameOf(Path absolute) {
        if (!absolute.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + absolute);
        }
        return absolute.toString().substring(1);
    }

    void directory(String name, int mode) {
        add(new Directory(name, mode));
    }

    /** A copy of {@code source} (its content, following links), with the source's permissions. */
    void file(String name, Path source) throws IOException {
        add(hostFile(name, source, Files.readAttributes(source, PosixFileAttributes.class)));
    }

    static HostFile hostFile(String name, Path source, PosixFileAttributes attributes) {
        return new HostFile(name, source, mode(attributes), attributes.size(),
                attributes.lastModifiedTime().toMillis());
    }

    /** The permission bits (no set-id bits: nothing in the image needs them). */
    static int mode(PosixFileAttributes attributes) {
        int mode = 0;
        for (PosixFilePermission permission : attributes.permissions()) {
            mode |= 1 << (8 - permission.ordinal()); // OWNER_READ (0400) first, OTHERS_EXECUTE (01) last
        }
        return mode;
    }

    void add(Entry entry) {
        Entry planned = entries.get(entry.name());
        if (planned == null) {
            int slash = entry.name().lastIndexOf('/');
            if (slash > 0) {
                directory(entry.name().substring(0, slash), PARENT_MODE);
            }
            entries.put(entry.name(), entry);
        } else if (!planned.equals(entry) && !(planned instanceof Directory && entry instanceof Directory)) {
            throw new IllegalStateException("the image would have two different entries at /" + entry.name()
                    + ": " + planned.describe() + " and " + entry.describe());
        }
    }

    List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** SHA-256 of every entry's description, in hex: equal for equal plans. */
    String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Entry entry : entries.values()) {
                sha.update((entry.describe() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Writes the tarball; owners are root (uid and gid 0). */
    void writeTar(OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (Entry entry : entries.values()) {
            switch (entry) {
                case Directory d -> put(tar, header(d.name() + "/", TarConstants.LF_DIR, d.mode()), null);
                case Symlink l -> {
                    TarArchiveEntry header = header(l.name(), TarConstants.LF_SYMLINK, 0777);
                    header.setLinkName(l.target());
                    put(tar, header, null);
                }
                case HostFile f -> {
                    TarArchiveEntry header = header(f.name(), TarConstants.LF_NORMAL, f.mode());
                    header.setSize(f.size());
                    try (InputStream in = Files.newInputStream(f.source())) {
                        put(tar, header, in);
                    }
                }
                case Text t -> {
                    byte[] bytes = t.content().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry header = header(t.name(), TarConstants.LF_NORMAL, t.mode());
                    header.setSize(bytes.length);
                    put(tar, header, new ByteArrayInputStream(bytes));
                }
            }
        }
        tar.finish();
        tar.flush();
    }

    private static TarArchiveEntry header(String name, byte type, int mode) {
        TarArchiveEntry header = new TarArchiveEntry(name, type);
        int kind = switch (type) {
            case TarConstants.LF_DIR -> 0040000;
            case TarConstants.LF_SYMLINK -> 0120000;
            default -> 0100000;
        };
        header.setMode(kind | mode & 07777);
        header.setIds(0, 0);
        header.setNames("root", "root");
        return header;
    }

    /** Writes exactly the planned size: a host file that changed since it was planned fails the build. */
    private static void put(TarArchiveOutputStream tar, TarArchiveEntry header, InputStream content)
            throws IOException {
        tar.putArchiveEntry(header);
        if (content != null) {
            long copied = content.transferTo(tar);
            if (copied != header.getSize()) {
                throw new IOException("/" + header.getName() + " changed while the image was being built ("
                        + header.getSize() + " bytes planned, " + copied + " read)");
            }
        }
        tar.closeArchiveEntry();
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        entries.values().forEach(entry -> lines.add(entry.describe()));
        return String.join("\n", lines);
    }
}

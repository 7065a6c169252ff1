package io.glambdar.store.archive;

import static io.glambdar.store.DeployRejectedException.quote;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;

/**
 * Validates an uploaded zip and extracts it into an empty folder.
 *
 * <p>Everything that can be decided from the zip's central directory (entry count, entry names, entry types,
 * compression methods, where {@code index.js} is) is checked before anything is written, and the entry count even
 * before the directory is read into memory ({@link CentralDirectory}). The uncompressed size is measured while
 * writing, by counting the bytes actually produced: the sizes a zip declares are never trusted.
 *
 * <p>Extracted folders get mode 0755, files 0644 (0755 when the zip marks them executable for their owner), whatever
 * else the zip says. No file is overwritten, and every path is checked to stay inside the target folder.
 *
 * <p>Symbolic links ({@code zip -y}, as {@code node_modules/.bin/*} needs) are created as links when their target is
 * relative and, followed through the zip's own entries, stays inside the function's folder ({@link SymbolicLinks}).
 * They are created last, so nothing is ever written through one, and nothing here follows one.
 */
public final class ZipExtractor {

    static final String INDEX_JS = "index.js";
    private static final String MACOS_METADATA_FOLDER = "__MACOSX";
    private static final String MACOS_FOLDER_SETTINGS = ".DS_Store";

    /** Longest name of one path segment, in UTF-8 bytes (Linux's NAME_MAX). */
    static final int MAX_SEGMENT_BYTES = 255;
    /** Longest path of one entry, in UTF-8 bytes (leaves room under Linux's PATH_MAX for the target folder). */
    static final int MAX_PATH_BYTES = 2048;
    /** Longest target of a symbolic link, in UTF-8 bytes (Linux's PATH_MAX, less its closing NUL). */
    static final int MAX_LINK_TARGET_BYTES = 4095;
    /** Files at the code root that must lead to a regular file when they are links. */
    private static final Set<String> MUST_BE_FILES = Set.of(INDEX_JS, "glambdar.json");
    /** Top-level names quoted in the "no index.js" message. */
    private static final int HINT_NAMES = 5;

    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int OWNER_EXECUTE = 0100;

    /** Compression methods we extract: the ones zip tools produce and commons-compress reads in pure Java. */
    private static final Set<Integer> SUPPORTED_METHODS = Set.of(
            ZipMethod.STORED.getCode(),
            ZipMethod.DEFLATED.getCode(),
            ZipMethod.ENHANCED_DEFLATED.getCode(),
            ZipMethod.BZIP2.getCode());

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> EXECUTABLE_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private static final String NOT_A_ZIP =
            "the uploaded file is not a valid zip archive; upload a .zip file (for example made with "
                    + "`zip -r hello.zip .` inside the function's folder)";

    private ZipExtractor() {
    }

    /**
     * One entry to extract: its normalised path ("a/b/c", no empty, "." or ".." segments).
     *
     * @param linkTarget where a symbolic link points, as the zip has it; {@code null} for anything else
     */
    private record Item(ZipArchiveEntry entry, String path, boolean directory, boolean executable,
                        String linkTarget) {

        boolean link() {
            return linkTarget != null;
        }
    }

    /**
     * Validates {@code zipFile} and extracts it into {@code targetDir}, keeping the zip's layout as is.
     *
     * @param zipFile   the uploaded zip
     * @param targetDir an existing, empty folder; on failure it may hold part of the extraction (the caller deletes it)
     * @param limits    how many entries and uncompressed bytes are allowed
     * @return where {@code index.js} is, and how much was written
     * @throws DeployRejectedException if the zip is not acceptable ({@code BAD_REQUEST}, or {@code TOO_LARGE} when it
     *                                 expands to more than {@code limits.maxUncompressedBytes()})
     * @throws IOException             if {@code zipFile} is missing or writing under {@code targetDir} fails (a server
     *                                 problem, not the upload's)
     */
    public static ExtractedCode extract(Path zipFile, Path targetDir, ArchiveLimits limits) throws IOException {
        if (!Files.isRegularFile(zipFile)) {
            throw new NoSuchFileException(zipFile.toString(), null, "the zip to extract is not a regular file");
        }
        Path root = targetDir.toAbsolutePath().normalize();
        requireEmptyDirectory(root);
        requireEntryLimit(zipFile, limits);

        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(zipFile).get();
        } catch (IOException | RuntimeException e) {
            throw new DeployRejectedException(Reason.BAD_REQUEST, NOT_A_ZIP, e);
        }
        try (zip) {
            List<ZipArchiveEntry> entries;
            try {
                entries = Collections.list(zip.getEntriesInPhysicalOrder());
            } catch (RuntimeException e) {
                throw new DeployRejectedException(Reason.BAD_REQUEST, NOT_A_ZIP, e);
            }
            Plan plan = plan(zip, entries, limits);
            List<Item> items = plan.items();
            String codeRoot = findCodeRoot(items);
            checkLinks(items, codeRoot);
            ExtractedCode written = write(zip, items, root, codeRoot, limits);
            // SPEC: fileCount counts every file of the upload, the macOS metadata left out of the code included.
            return new ExtractedCode(written.codeRoot(), written.totalBytes(),
                    written.fileCount() + plan.metadataFiles());
        }
    }

    /**
     * Counts the entries before commons-compress reads the central directory, which costs objects for every entry: a
     * small zip of many empty entries would otherwise take hundreds of MB of heap just to be refused.
     */
    private static void requireEntryLimit(Path zipFile, ArchiveLimits limits) throws IOException {
        CentralDirectory.Count count = CentralDirectory.count(zipFile, limits.maxEntries() + 1L);
        if (count.headers() > limits.maxEntries()) {
            // The count stops past the limit: quote the zip's own total when it is consistent with what was found.
            throw tooManyEntries(count.declared() >= count.headers()
                    ? String.format(Locale.ROOT, "%,d", count.declared())
                    : String.format(Locale.ROOT, "more than %,d", limits.maxEntries()), limits);
        }
    }

    private static void requireEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "the target folder does not exist");
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            if (children.iterator().hasNext()) {
                throw new IllegalArgumentException("the target folder is not empty: " + dir);
            }
        }
    }

    // ---------------------------------------------------------------- checks on the central directory

    /** The entries to write, and how many files of macOS metadata were left out. */
    private record Plan(List<Item> items, int metadataFiles) {
    }

    private static Plan plan(ZipFile zip, List<ZipArchiveEntry> entries, ArchiveLimits limits) {
        if (entries.isEmpty()) {
            throw DeployRejectedException.badRequest(
                    "the zip archive is empty; it must contain at least index.js (the function's code)");
        }
        if (entries.size() > limits.maxEntries()) { // counted already; kept in case the two counts ever disagree
            throw tooManyEntries(String.format(Locale.ROOT, "%,d", entries.size()), limits);
        }

        List<Item> items = new ArrayList<>(entries.size());
        int metadataFiles = 0;
        for (ZipArchiveEntry entry : entries) {
            Item item = check(zip, entry);
            if (item == null) {
                continue;
            }
            if (!isMacosMetadata(item)) {
                items.add(item);
            } else if (!item.directory() && !item.link()) {
                metadataFiles++;
            }
        }

        // Two entries for one path, or one path that is both a file and a folder (explicitly or as a parent).
        Map<String, Item> byPath = new HashMap<>();
        for (Item item : items) {
            Item previous = byPath.putIfAbsent(item.path(), item);
            if (previous != null) {
                throw DeployRejectedException.badRequest("the zip has more than one entry for "
                        + quote(item.path()) + " (" + quote(previous.entry().getName()) + " and "
                        + quote(item.entry().getName()) + "); each file or folder may appear only once");
            }
        }
        for (Item item : items) {
            for (int slash = item.path().lastIndexOf('/'); slash > 0;
                 slash = item.path().lastIndexOf('/', slash - 1)) {
                Item parent = byPath.get(item.path().substring(0, slash));
                if (parent != null && !parent.directory()) {
                    throw DeployRejectedException.badRequest("the zip has " + quote(parent.path())
                            + " both as a " + (parent.link() ? "symbolic link" : "file")
                            + " and as a folder (it contains " + quote(item.path())
                            + "); each path may be only one of them");
                }
            }
        }

        // Honest headers already saying "too big": no need to write 250 MiB to find out.
        long declared = 0;
        for (Item item : items) {
            long size = item.entry().getSize();
            if (!item.directory() && !item.link() && size > 0) {
                declared = size > limits.maxUncompressedBytes() ? Long.MAX_VALUE : declared + size;
                if (declared > limits.maxUncompressedBytes()) {
                    throw tooLarge(limits);
                }
            }
        }
        return new Plan(items, metadataFiles);
    }

    /** Validates one entry; returns {@code null} for an entry that names the root folder itself ("./"). */
    private static Item check(ZipFile zip, ZipArchiveEntry entry) {
        String raw = entry.getName();
        String name = raw.replace('\\', '/');
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw rejectEntry(raw, "has a control character in its name");
            }
        }
        if (name.startsWith("/") || (name.length() >= 2 && name.charAt(1) == ':' && isAsciiLetter(name.charAt(0)))) {
            throw rejectEntry(raw, "is an absolute path; paths in the zip must be relative to its root");
        }
        int unixMode = entry.getUnixMode();
        int type = unixMode & S_IFMT;
        boolean directory = name.endsWith("/") || type == S_IFDIR;

        List<String> segments = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw rejectEntry(raw, "has a '..' segment in its path; paths in the zip must stay inside it");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                    throw rejectEntry(raw, "has a file or folder name longer than " + MAX_SEGMENT_BYTES + " bytes");
                }
                segments.add(segment);
            }
        }
        String path = String.join("/", segments);
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw rejectEntry(raw, "has a path longer than " + MAX_PATH_BYTES + " bytes");
        }

        boolean link = entry.isUnixSymlink() || type == S_IFLNK;
        if (type != 0 && type != S_IFREG && type != S_IFDIR && !link) {
            throw rejectEntry(raw, "is a special file (" + describeType(type)
                    + "); only regular files, folders and symbolic links are allowed");
        }
        if (path.isEmpty()) {
            if (directory) {
                return null;
            }
            throw rejectEntry(raw, "has an empty file name");
        }
        if (!directory || link) {
            checkReadable(zip, entry);
        }
        if (link) {
            if (name.endsWith("/")) {
                throw rejectEntry(raw, "is marked both as a folder and as a symbolic link");
            }
            return new Item(entry, path, false, false, readLinkTarget(zip, entry));
        }
        boolean executable = !directory && (unixMode & OWNER_EXECUTE) != 0;
        return new Item(entry, path, directory, executable, null);
    }

    /** A link's target, which the zip holds as the entry's content: bounded, UTF-8, relative. */
    private static String readLinkTarget(ZipFile zip, ZipArchiveEntry entry) {
        String raw = entry.getName();
        byte[] bytes;
        try (InputStream in = openEntry(zip, entry)) {
            bytes = in.readNBytes(MAX_LINK_TARGET_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DeployRejectedException rejected) {
                throw rejected;
            }
            throw corrupt(entry, e);
        }
        if (bytes.length > MAX_LINK_TARGET_BYTES) {
            throw rejectEntry(raw, "is a symbolic link whose target is longer than "
                    + formatBytes(MAX_LINK_TARGET_BYTES));
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        requireIntact(entry, bytes.length, crc);
        String target;
        try {
            target = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw rejectEntry(raw, "is a symbolic link whose target is not valid UTF-8");
        }
        if (target.isEmpty()) {
            throw rejectEntry(raw, "is a symbolic link with an empty target");
        }
        if (target.chars().anyMatch(Character::isISOControl)) {
            throw rejectEntry(raw, "is a symbolic link whose target has a control character");
        }
        if (target.indexOf('\\') >= 0) {
            throw rejectEntry(raw, "is a symbolic link to " + quote(target)
                    + ", with a backslash; link targets separate folders with '/'");
        }
        if (target.startsWith("/")) {
            throw rejectEntry(raw, "is a symbolic link to the absolute path " + quote(target)
                    + "; links must be relative and stay inside the function's folder");
        }
        return target;
    }

    /** Every link must stay inside the code root (what the container sees at /function); see {@link SymbolicLinks}. */
    private static void checkLinks(List<Item> items, String codeRoot) {
        String prefix = codeRoot.isEmpty() ? "" : codeRoot + "/";
        SymbolicLinks links = new SymbolicLinks();
        List<Item> linkItems = new ArrayList<>();
        for (Item item : items) {
            if (!item.path().startsWith(prefix)) {
                continue; // the wrapping folder itself
            }
            String path = item.path().substring(prefix.length());
            if (item.link()) {
                links.addLink(path, item.linkTarget());
                linkItems.add(item);
            } else if (item.directory()) {
                links.addFolder(path);
            } else {
                links.addFile(path);
            }
        }
        for (Item item : linkItems) {
            String path = item.path().substring(prefix.length());
            String problem = links.problem(path, MUST_BE_FILES.contains(path));
            if (problem != null) {
                throw rejectEntry(item.entry().getName(), problem);
            }
        }
    }

    private static void checkReadable(ZipFile zip, ZipArchiveEntry entry) {
        if (entry.getGeneralPurposeBit().usesEncryption()
                || entry.getGeneralPurposeBit().usesStrongEncryption()
                || entry.getMethod() == ZipMethod.AES_ENCRYPTED.getCode()) {
            throw rejectEntry(entry.getName(),
                    "is encrypted (password-protected); create the zip again without a password");
        }
        if (!SUPPORTED_METHODS.contains(entry.getMethod()) || !zip.canReadEntryData(entry)) {
            ZipMethod method = ZipMethod.getMethodByCode(entry.getMethod());
            String methodName = method == null || method == ZipMethod.UNKNOWN
                    ? "method " + entry.getMethod() : method.name() + " (method " + entry.getMethod() + ")";
            throw rejectEntry(entry.getName(), "uses a compression method the server does not support: "
                    + methodName + "; create the zip again with standard (deflate) compression");
        }
    }

    private static boolean isMacosMetadata(Item item) {
        String path = item.path();
        if (path.equals(MACOS_METADATA_FOLDER) || path.startsWith(MACOS_METADATA_FOLDER + "/")) {
            return true;
        }
        return !item.directory() && (path.equals(MACOS_FOLDER_SETTINGS) || path.endsWith("/" + MACOS_FOLDER_SETTINGS));
    }

    private static String findCodeRoot(List<Item> items) {
        Set<String> files = new HashSet<>();
        SortedSet<String> topLevel = new TreeSet<>();
        Set<String> topLevelFolders = new HashSet<>();
        for (Item item : items) {
            if (!item.directory()) {
                files.add(item.path());
            }
            int slash = item.path().indexOf('/');
            String top = slash < 0 ? item.path() : item.path().substring(0, slash);
            topLevel.add(top);
            if (slash >= 0 || item.directory()) {
                topLevelFolders.add(top);
            }
        }
        if (files.contains(INDEX_JS)) {
            return "";
        }
        if (topLevel.size() == 1) {
            String folder = topLevel.first();
            if (files.contains(folder + "/" + INDEX_JS)) {
                return folder;
            }
        }

        StringBuilder message = new StringBuilder(
                "no index.js found: the zip must contain index.js at its root (or inside a single top-level folder)");
        if (topLevel.isEmpty()) {
            message.append("; it holds only macOS metadata (__MACOSX, .DS_Store)");
        } else {
            message.append("; found at the top level: ");
            int shown = 0;
            for (String top : topLevel) {
                if (shown == HINT_NAMES) {
                    message.append(String.format(Locale.ROOT, " and %,d more", topLevel.size() - shown));
                    break;
                }
                message.append(shown == 0 ? "" : ", ").append(quote(top + (topLevelFolders.contains(top) ? "/" : "")));
                shown++;
            }
        }
        files.stream()
                .filter(path -> path.endsWith("/" + INDEX_JS))
                .min(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()))
                .ifPresent(nested -> message.append(" (there is an index.js at ").append(quote(nested))
                        .append(": zip the folder that contains it)"));
        throw DeployRejectedException.badRequest(message.toString());
    }

    // ---------------------------------------------------------------- writing

    private static ExtractedCode write(ZipFile zip, List<Item> items, Path root, String codeRoot,
                                       ArchiveLimits limits) throws IOException {
        boolean posix = Files.getFileStore(root).supportsFileAttributeView("posix");

        // Folders first, parents before children (a parent's path is a prefix of its children's, so sorts first).
        SortedSet<String> folders = new TreeSet<>();
        for (Item item : items) {
            if (item.directory()) {
                folders.add(item.path());
            }
            for (int slash = item.path().indexOf('/'); slash > 0; slash = item.path().indexOf('/', slash + 1)) {
                folders.add(item.path().substring(0, slash));
            }
        }
        for (String folder : folders) {
            Path dir = resolveInside(root, folder);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                throw clash(folder, e);
            }
            if (posix) {
                Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
            }
        }

        long total = 0;
        int fileCount = 0;
        byte[] buffer = new byte[64 * 1024];
        for (Item item : items) {
            if (item.directory() || item.link()) {
                continue;
            }
            Path file = resolveInside(root, item.path());
            ZipArchiveEntry entry = item.entry();
            long written = 0;
            CRC32 crc = new CRC32();
            try (InputStream in = openEntry(zip, entry);
                 OutputStream out = createNew(file, item.path())) {
                while (true) {
                    int n;
                    try {
                        n = in.read(buffer);
                    } catch (IOException | RuntimeException e) {
                        throw corrupt(entry, e);
                    }
                    if (n < 0) {
                        break;
                    }
                    if (n > limits.maxUncompressedBytes() - total) {
                        throw tooLarge(limits);
                    }
                    out.write(buffer, 0, n);
                    crc.update(buffer, 0, n);
                    total += n;
                    written += n;
                }
            }
            requireIntact(entry, written, crc);
            if (posix) {
                Files.setPosixFilePermissions(file, item.executable() ? EXECUTABLE_MODE : FILE_MODE);
            }
            fileCount++;
        }

        // Last, so that no folder or file above was created or written through a link.
        for (Item item : items) {
            if (item.link()) {
                Path link = resolveInside(root, item.path());
                try {
                    Files.createSymbolicLink(link, Path.of(item.linkTarget()));
                } catch (FileAlreadyExistsException e) {
                    throw clash(item.path(), e);
                } catch (InvalidPathException e) {
                    throw new DeployRejectedException(Reason.BAD_REQUEST, "the zip entry " + quote(item.path())
                            + " is a symbolic link to a target that cannot be used as a path", e);
                }
            }
        }
        return new ExtractedCode(codeRoot, total, fileCount);
    }

    private static InputStream openEntry(ZipFile zip, ZipArchiveEntry entry) {
        try {
            InputStream in = zip.getInputStream(entry);
            if (in == null) {
                throw corrupt(entry, null);
            }
            return in;
        } catch (IOException | RuntimeException e) {
            if (e instanceof DeployRejectedException rejected) {
                throw rejected;
            }
            throw corrupt(entry, e);
        }
    }

    private static OutputStream createNew(Path file, String path) throws IOException {
        try {
            return Files.newOutputStream(file,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (FileAlreadyExistsException e) {
            throw clash(path, e);
        }
    }

    /** {@code root/path}, refusing anything that would land outside {@code root} (already excluded by the checks). */
    private static Path resolveInside(Path root, String path) {
        Path resolved;
        try {
            resolved = root;
            for (String segment : path.split("/")) {
                resolved = resolved.resolve(segment);
            }
        } catch (InvalidPathException e) {
            throw new DeployRejectedException(Reason.BAD_REQUEST,
                    "the zip entry " + quote(path) + " has a name that cannot be used as a file name", e);
        }
        Path normalized = resolved.normalize();
        if (!normalized.equals(resolved) || !normalized.startsWith(root) || normalized.equals(root)) {
            throw DeployRejectedException.badRequest(
                    "the zip entry " + quote(path) + " points outside the function's folder");
        }
        return resolved;
    }

    // ---------------------------------------------------------------- messages

    private static DeployRejectedException rejectEntry(String rawName, String problem) {
        return DeployRejectedException.badRequest("the zip entry " + quote(rawName) + " " + problem);
    }

    private static DeployRejectedException tooManyEntries(String count, ArchiveLimits limits) {
        return DeployRejectedException.badRequest(String.format(Locale.ROOT,
                "the zip has %s entries (files, folders and links); at most %,d are allowed - "
                        + "leave out what the function does not need", count, limits.maxEntries()));
    }

    /** Only reachable on a case-insensitive file system, or if the checks above missed a clash. */
    private static DeployRejectedException clash(String path, Exception cause) {
        return new DeployRejectedException(Reason.BAD_REQUEST, "the zip has more than one entry for "
                + quote(path) + " (names that differ only in letter case count as the same here); "
                + "each file or folder may appear only once", cause);
    }

    /** What was read of the entry matches what the zip says of it, its size and CRC (where it says them). */
    private static void requireIntact(ZipArchiveEntry entry, long bytesRead, CRC32 crc) {
        if ((entry.getSize() >= 0 && entry.getSize() != bytesRead)
                || (entry.getCrc() >= 0 && entry.getCrc() != crc.getValue())) {
            throw corrupt(entry, null);
        }
    }

    private static DeployRejectedException corrupt(ZipArchiveEntry entry, Exception cause) {
        return new DeployRejectedException(Reason.BAD_REQUEST, "the zip entry " + quote(entry.getName())
                + " could not be read: the zip archive is corrupt; create it again and upload it anew", cause);
    }

    private static DeployRejectedException tooLarge(ArchiveLimits limits) {
        return new DeployRejectedException(Reason.TOO_LARGE, "the zip expands to more than "
                + formatBytes(limits.maxUncompressedBytes()) + ", the limit for a function's code; "
                + "leave out what the function does not need (tests, docs, dev dependencies) and try again");
    }

    static String formatBytes(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return String.format(Locale.ROOT, "%,d MiB", bytes / (1024 * 1024));
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return String.format(Locale.ROOT, "%,d KiB", bytes / 1024);
        }
        return String.format(Locale.ROOT, "%,d bytes", bytes);
    }

    private static String describeType(int type) {
        return switch (type) {
            case 0010000 -> "a named pipe";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> String.format(Locale.ROOT, "file type %06o", type);
        };
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}

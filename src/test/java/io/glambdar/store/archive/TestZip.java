package io.glambdar.store.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds zips for tests, including what normal tools refuse to make (symlinks, traversal, duplicates, lies). */
final class TestZip {

    static final int LOCAL_HEADER = 0x04034b50;
    static final int CENTRAL_HEADER = 0x02014b50;

    private record Spec(String name, byte[] content, Consumer<ZipArchiveEntry> tweak) {
    }

    private final List<Spec> specs = new ArrayList<>();

    static TestZip zip() {
        return new TestZip();
    }

    TestZip file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TestZip file(String name, byte[] content) {
        return add(name, content, e -> { });
    }

    TestZip file(String name, String content, int unixMode) {
        return add(name, content.getBytes(StandardCharsets.UTF_8), e -> e.setUnixMode(unixMode));
    }

    TestZip stored(String name, String content) {
        return add(name, content.getBytes(StandardCharsets.UTF_8), e -> e.setMethod(ZipEntry.STORED));
    }

    TestZip dir(String name) {
        return add(name, null, e -> { });
    }

    TestZip dir(String name, int unixMode) {
        return add(name, null, e -> e.setUnixMode(unixMode));
    }

    /** A symbolic link as {@code zip -y} stores it: mode 0120777, the target as the entry's content. */
    TestZip symlink(String name, String target) {
        return symlink(name, target.getBytes(StandardCharsets.UTF_8));
    }

    TestZip symlink(String name, byte[] target) {
        return add(name, target, e -> e.setUnixMode(0120777));
    }

    TestZip add(String name, byte[] content, Consumer<ZipArchiveEntry> tweak) {
        specs.add(new Spec(name, content, tweak));
        return this;
    }

    /** A zip with {@code index.js} at its root plus the given extra entries. */
    static TestZip withIndex() {
        return zip().file("index.js", "exports.handler = async () => ({ body: 'hi' });");
    }

    Path writeTo(Path file) throws IOException {
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(file)) {
            for (Spec spec : specs) {
                ZipArchiveEntry entry = new ZipArchiveEntry(spec.name());
                spec.tweak().accept(entry);
                out.putArchiveEntry(entry);
                if (spec.content() != null) {
                    out.write(spec.content());
                }
                out.closeArchiveEntry();
            }
        }
        return file;
    }

    // ---------------------------------------------------------------- patching written zips

    /** Offsets of every header with this signature (the test zips hold no content that looks like one). */
    static List<Integer> headers(byte[] zip, int signature) {
        List<Integer> offsets = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (buffer.getInt(i) == signature) {
                offsets.add(i);
            }
        }
        return offsets;
    }

    static void putShort(byte[] zip, int offset, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putShort(offset, (short) value);
    }

    static void putInt(byte[] zip, int offset, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
    }

    static int getShort(byte[] zip, int offset) {
        return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getShort(offset) & 0xffff;
    }

    /** Sets the uncompressed size of entry {@code index} (in write order) in both its headers. */
    static void lieAboutSize(Path zip, int index, int size) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        putInt(bytes, headers(bytes, LOCAL_HEADER).get(index) + 22, size);
        putInt(bytes, headers(bytes, CENTRAL_HEADER).get(index) + 24, size);
        Files.write(zip, bytes);
    }

    /** Sets the compression method of entry {@code index} in both its headers. */
    static void setMethod(Path zip, int index, int method) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        putShort(bytes, headers(bytes, LOCAL_HEADER).get(index) + 8, method);
        putShort(bytes, headers(bytes, CENTRAL_HEADER).get(index) + 10, method);
        Files.write(zip, bytes);
    }

    /** Sets general purpose flag bits of entry {@code index} in both its headers. */
    static void setFlags(Path zip, int index, int bits) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        int local = headers(bytes, LOCAL_HEADER).get(index) + 6;
        int central = headers(bytes, CENTRAL_HEADER).get(index) + 8;
        putShort(bytes, local, getShort(bytes, local) | bits);
        putShort(bytes, central, getShort(bytes, central) | bits);
        Files.write(zip, bytes);
    }

    /** Sets the CRC-32 of entry {@code index} in both its headers. */
    static void setCrc(Path zip, int index, int crc) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        putInt(bytes, headers(bytes, LOCAL_HEADER).get(index) + 14, crc);
        putInt(bytes, headers(bytes, CENTRAL_HEADER).get(index) + 16, crc);
        Files.write(zip, bytes);
    }

    /** Overwrites {@code length} bytes of entry {@code index}'s data (after its local header) with garbage. */
    static void garbleData(Path zip, int index, int length) throws IOException {
        byte[] bytes = Files.readAllBytes(zip);
        int local = headers(bytes, LOCAL_HEADER).get(index);
        int dataStart = local + 30 + getShort(bytes, local + 26) + getShort(bytes, local + 28);
        for (int i = 0; i < length; i++) {
            bytes[dataStart + i] = (byte) 0xff;
        }
        Files.write(zip, bytes);
    }

    private TestZip() {
    }
}

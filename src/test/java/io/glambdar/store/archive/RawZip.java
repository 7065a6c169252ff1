package io.glambdar.store.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes zips of many empty stored entries byte by byte, fast enough for 400,000 of them, with end records that may
 * misstate the count, ZIP64 end records, or a preamble (as self-extracting zips have).
 */
final class RawZip {

    private final int entries;
    private int declared;
    private boolean zip64;
    private int preamble;

    private RawZip(int entries) {
        this.entries = entries;
        this.declared = entries;
    }

    /** {@code count} empty files named f0000000, f0000001, … */
    static RawZip entries(int count) {
        return new RawZip(count);
    }

    /** The total the end records declare, instead of the true one. */
    RawZip declaring(int count) {
        declared = count;
        return this;
    }

    /** Adds a ZIP64 end record and locator, and leaves the classic end record's fields at their "see ZIP64" values. */
    RawZip zip64() {
        zip64 = true;
        return this;
    }

    /** {@code bytes} of something else before the zip (its offsets stay relative to where the zip starts). */
    RawZip preamble(int bytes) {
        preamble = bytes;
        return this;
    }

    Path writeTo(Path file) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write("x".repeat(preamble).getBytes(StandardCharsets.US_ASCII));
            long offset = 0;
            for (int i = 0; i < entries; i++) {
                header.clear().putInt(0x04034b50).putShort((short) 10).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0)
                        .putShort((short) 8).putShort((short) 0);
                offset += put(out, header, i);
            }
            long directoryStart = offset;
            for (int i = 0; i < entries; i++) {
                header.clear().putInt(0x02014b50).putShort((short) 0x031e).putShort((short) 10).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0)
                        .putShort((short) 8).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putInt(0100644 << 16).putInt((int) localOffset(i));
                offset += put(out, header, i);
            }
            long directorySize = offset - directoryStart;
            if (zip64) {
                header.clear().putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0)
                        .putInt(0).putLong(declared).putLong(declared).putLong(directorySize).putLong(directoryStart);
                write(out, header);
                header.clear().putInt(0x07064b50).putInt(0).putLong(offset).putInt(1);
                write(out, header);
            }
            header.clear().putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) (zip64 ? 0xffff : declared)).putShort((short) (zip64 ? 0xffff : declared))
                    .putInt(zip64 ? -1 : (int) directorySize).putInt(zip64 ? -1 : (int) directoryStart)
                    .putShort((short) 0);
            write(out, header);
        }
        return file;
    }

    /** Every local header is 30 bytes plus the 8-byte name, with no data after it. */
    private static long localOffset(int index) {
        return (30L + 8) * index;
    }

    /** The header so far, then the entry's 8-byte name; returns the bytes written. */
    private static int put(OutputStream out, ByteBuffer header, int index) throws IOException {
        header.put(String.format("f%07d", index).getBytes(StandardCharsets.US_ASCII));
        return write(out, header);
    }

    private static int write(OutputStream out, ByteBuffer header) throws IOException {
        out.write(header.array(), 0, header.position());
        return header.position();
    }
}

package io.glambdar.store.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Counts a zip's central directory headers without reading the entries: commons-compress's {@code ZipFile} builds
 * objects for every entry as it opens a zip (hundreds of MB for 400,000 empty entries), this walks the 46-byte
 * headers through one small buffer and stops at a limit.
 *
 * <p>It finds and walks the directory as {@code ZipFile} (commons-compress 1.28) does: the end of central directory
 * record searched backwards from the end; the ZIP64 locator 20 bytes before it and the ZIP64 record it points to;
 * without ZIP64, a preamble before the first entry (self-extracting zips) allowed for; then one header after another
 * for as long as the next 4 bytes are a header's signature, whatever count the end record declares. It rejects
 * nothing itself: what it cannot find counts as no headers, and {@code ZipFile} reports the zip as invalid.
 */
final class CentralDirectory {

    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_RECORD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_END_RECORD = 0x06064b50;
    private static final int HEADER_SIZE = 46;
    private static final int END_RECORD_SIZE = 22;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_END_RECORD_SIZE = 56;
    /** The end record plus the longest comment. */
    private static final int MAX_END_RECORD_DISTANCE = END_RECORD_SIZE + 0xffff;
    private static final int WINDOW = 64 * 1024;

    /**
     * @param headers  central directory headers found, at most the {@code stopAt} asked for
     * @param declared the total the end record (or ZIP64 end record) declares, which may be a lie
     */
    record Count(long headers, long declared) {
    }

    private record Start(long offset, long declared) {
    }

    private CentralDirectory() {
    }

    /** Counts {@code zip}'s central directory headers, stopping once {@code stopAt} are found. */
    static Count count(Path zip, long stopAt) throws IOException {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            Start start = locate(channel);
            if (start == null) {
                return new Count(0, 0);
            }
            return new Count(countHeaders(channel, start.offset(), stopAt), start.declared());
        }
    }

    private static Start locate(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < END_RECORD_SIZE) {
            return null;
        }
        int tailLength = (int) Math.min(size, MAX_END_RECORD_DISTANCE);
        long tailStart = size - tailLength;
        ByteBuffer tail = read(channel, tailStart, tailLength);
        for (int at = tailLength - END_RECORD_SIZE; at >= 0; at--) {
            if (tail.getInt(at) == END_RECORD) {
                long endRecord = tailStart + at;
                return endRecord > ZIP64_LOCATOR_SIZE && hasZip64Locator(channel, endRecord)
                        ? locateZip64(channel, endRecord - ZIP64_LOCATOR_SIZE)
                        : locate32(tail, at, endRecord);
            }
        }
        return null;
    }

    private static boolean hasZip64Locator(FileChannel channel, long endRecord) throws IOException {
        return read(channel, endRecord - ZIP64_LOCATOR_SIZE, 4).getInt(0) == ZIP64_LOCATOR;
    }

    private static Start locate32(ByteBuffer tail, int at, long endRecord) {
        long declared = Short.toUnsignedLong(tail.getShort(at + 10));
        long directorySize = Integer.toUnsignedLong(tail.getInt(at + 12));
        long directoryOffset = Integer.toUnsignedLong(tail.getInt(at + 16));
        long preamble = Math.max(endRecord - directorySize - directoryOffset, 0);
        return new Start(directoryOffset + preamble, declared);
    }

    private static Start locateZip64(FileChannel channel, long locator) throws IOException {
        long recordOffset = read(channel, locator + 8, 8).getLong(0);
        if (recordOffset < 0 || recordOffset > channel.size() - ZIP64_END_RECORD_SIZE) {
            return null;
        }
        ByteBuffer record = read(channel, recordOffset, ZIP64_END_RECORD_SIZE);
        if (record.getInt(0) != ZIP64_END_RECORD) {
            return null;
        }
        return new Start(record.getLong(48), record.getLong(32));
    }

    private static long countHeaders(FileChannel channel, long offset, long stopAt) throws IOException {
        if (offset < 0) {
            return 0;
        }
        ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
        long windowStart = 0;
        window.limit(0);
        long count = 0;
        long at = offset;
        while (count < stopAt) {
            if (at < windowStart || at + HEADER_SIZE > windowStart + window.limit()) {
                windowStart = at;
                fill(channel, window, at);
                if (window.limit() < HEADER_SIZE) {
                    break; // the end of the file
                }
            }
            int header = (int) (at - windowStart);
            if (window.getInt(header) != CENTRAL_HEADER) {
                break;
            }
            count++;
            at += HEADER_SIZE + Short.toUnsignedInt(window.getShort(header + 28)) // name
                    + Short.toUnsignedInt(window.getShort(header + 30)) // extra field
                    + Short.toUnsignedInt(window.getShort(header + 32)); // comment
        }
        return count;
    }

    /** Reads from {@code at} into the whole window, or up to the end of the file. */
    private static void fill(FileChannel channel, ByteBuffer window, long at) throws IOException {
        window.clear();
        while (window.hasRemaining()) {
            if (channel.read(window, at + window.position()) < 0) {
                break;
            }
        }
        window.flip();
    }

    private static ByteBuffer read(FileChannel channel, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill(channel, buffer, at);
        if (buffer.limit() < length) {
            throw new IOException("short read in a file that did not shrink: " + at + "+" + length);
        }
        return buffer;
    }
}

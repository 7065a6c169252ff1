package io.glambdar.sandbox.docker.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The symbol versions an ELF shared object defines (its {@code .gnu.version_d} section), such as
 * {@code GLIBC_2.2.5}: only glibc's own libraries define {@code GLIBC_*} versions, whatever their file names.
 *
 * <p>Reads the ELF header, the section headers, the version definitions and the few names they point to, never
 * the whole file. Anything that is not a well-formed ELF file defines nothing.
 */
final class ElfVersionDefinitions {

    private static final int SHT_GNU_VERDEF = 0x6ffffffd;
    private static final int VER_FLG_BASE = 0x1; // the entry naming the file itself, not a version
    private static final int VERDEF_SIZE = 20;
    private static final int VERDAUX_SIZE = 8;
    private static final int MAX_SECTION_BYTES = 1 << 20;
    private static final int MAX_NAME_BYTES = 256;

    private ElfVersionDefinitions() {
    }

    /** The version names {@code file} defines, in file order; empty for a file that is not ELF or defines none. */
    static List<String> of(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel);
        } catch (MalformedElf | EOFException e) {
            return List.of();
        }
    }

    /** Whether {@code file} is one of glibc's libraries. */
    static boolean isGlibc(Path file) throws IOException {
        return of(file).stream().anyMatch(name -> name.startsWith("GLIBC_"));
    }

    private static List<String> read(FileChannel channel) throws IOException {
        if (channel.size() < 52) { // the smallest ELF header (32-bit)
            return List.of();
        }
        ByteBuffer header = bytes(channel, 0, 52);
        if (header.getInt(0) != 0x7f454c46) { // "\177ELF", read big-endian before the byte order is known
            return List.of();
        }
        boolean is64 = switch (header.get(4)) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new MalformedElf();
        };
        ByteOrder order = switch (header.get(5)) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new MalformedElf();
        };
        if (is64) {
            header = bytes(channel, 0, 64);
        }
        header.order(order);
        long sectionsAt = is64 ? header.getLong(0x28) : Integer.toUnsignedLong(header.getInt(0x20));
        int sectionSize = Short.toUnsignedInt(header.getShort(is64 ? 0x3a : 0x2e));
        int sectionCount = Short.toUnsignedInt(header.getShort(is64 ? 0x3c : 0x30));
        if (sectionsAt == 0 || sectionCount == 0) {
            return List.of();
        }
        if (sectionSize < (is64 ? 64 : 40)) {
            throw new MalformedElf();
        }
        Sections sections = new Sections(bytes(channel, sectionsAt, checked((long) sectionSize * sectionCount))
                .order(order), sectionSize, sectionCount, is64);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sectionCount; i++) {
            if (sections.type(i) == SHT_GNU_VERDEF) {
                int strings = sections.link(i);
                if (strings < 0 || strings >= sectionCount) {
                    throw new MalformedElf();
                }
                ByteBuffer definitions = bytes(channel, sections.offset(i), checked(sections.size(i))).order(order);
                readDefinitions(channel, definitions, sections.info(i), sections.offset(strings),
                        sections.size(strings), names);
            }
        }
        return names;
    }

    private static void readDefinitions(FileChannel channel, ByteBuffer definitions, int count, long stringsAt,
                                        long stringsSize, List<String> names) throws IOException {
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (at < 0 || at + VERDEF_SIZE > definitions.limit()) {
                throw new MalformedElf();
            }
            int flags = Short.toUnsignedInt(definitions.getShort(at + 2));
            int aux = definitions.getInt(at + 12);
            int next = definitions.getInt(at + 16);
            if ((flags & VER_FLG_BASE) == 0) {
                if (aux < 0 || at + aux + VERDAUX_SIZE > definitions.limit()) {
                    throw new MalformedElf();
                }
                long nameAt = Integer.toUnsignedLong(definitions.getInt(at + aux));
                names.add(string(channel, stringsAt, stringsSize, nameAt));
            }
            if (next == 0) {
                return;
            }
            at += next;
        }
    }

    private static String string(FileChannel channel, long tableAt, long tableSize, long offset) throws IOException {
        if (offset >= tableSize) {
            throw new MalformedElf();
        }
        ByteBuffer bytes = bytes(channel, tableAt + offset, (int) Math.min(MAX_NAME_BYTES, tableSize - offset));
        int end = 0;
        while (end < bytes.limit() && bytes.get(end) != 0) {
            end++;
        }
        return new String(bytes.array(), 0, end, StandardCharsets.ISO_8859_1);
    }

    private static int checked(long size) {
        if (size < 0 || size > MAX_SECTION_BYTES) {
            throw new MalformedElf();
        }
        return (int) size;
    }

    private static ByteBuffer bytes(FileChannel channel, long at, int length) throws IOException {
        if (at < 0 || at + length > channel.size()) {
            throw new MalformedElf();
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                throw new EOFException();
            }
        }
        return buffer.clear();
    }

    /** The section header table, 32- or 64-bit. */
    private record Sections(ByteBuffer table, int entrySize, int count, boolean is64) {

        int type(int i) {
            return table.getInt(i * entrySize + 4);
        }

        long offset(int i) {
            int at = i * entrySize;
            return is64 ? table.getLong(at + 0x18) : Integer.toUnsignedLong(table.getInt(at + 0x10));
        }

        long size(int i) {
            int at = i * entrySize;
            return is64 ? table.getLong(at + 0x20) : Integer.toUnsignedLong(table.getInt(at + 0x14));
        }

        int link(int i) {
            return table.getInt(i * entrySize + (is64 ? 0x28 : 0x18));
        }

        int info(int i) {
            return table.getInt(i * entrySize + (is64 ? 0x2c : 0x1c));
        }
    }

    /** A structure that does not fit the file: not an ELF file we can read, so it defines nothing. */
    private static final class MalformedElf extends RuntimeException {
        MalformedElf() {
            super(null, null, false, false);
        }
    }
}

package io.glambdar.ipc;

import java.nio.charset.StandardCharsets;

/** Measures and cuts text by its UTF-8 size, the unit every limit of the protocol is in. */
final class Utf8Text {

    /** Bytes kept free for the truncation marker, which is never longer: worker.js reserves the same. */
    static final int MARKER_ROOM = 64;

    private Utf8Text() {
    }

    /** UTF-8 bytes of {@code text}, without encoding it; a lone surrogate counts 3, as in worker.js. */
    static long length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * {@code text} if it fits in {@code maxBytes} of UTF-8, else its start (cut between characters) followed by
     * {@code "\n[... N bytes truncated]\n"}, all within {@code maxBytes}: the marker worker.js writes too.
     */
    static String truncate(String text, int maxBytes) {
        if ((long) text.length() * 3 <= maxBytes) {
            return text; // no char takes more than 3 bytes (a surrogate pair takes 4 for 2 chars)
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes <= maxBytes) {
            return text;
        }
        String kept = startWithin(text, maxBytes - MARKER_ROOM);
        return kept + "\n[... " + (bytes - kept.getBytes(StandardCharsets.UTF_8).length) + " bytes truncated]\n";
    }

    /** The longest start of {@code text} that fits in {@code maxBytes} of UTF-8, cut between characters. */
    static String startWithin(String text, int maxBytes) {
        if ((long) text.length() * 3 <= maxBytes) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int keep = Math.min(bytes.length, Math.max(0, maxBytes));
        while (keep > 0 && keep < bytes.length && (bytes[keep] & 0xC0) == 0x80) {
            keep--; // a continuation byte: back up to the start of its character
        }
        return new String(bytes, 0, keep, StandardCharsets.UTF_8);
    }

    /** The longest end of {@code text} that fits in {@code maxBytes} of UTF-8, cut between characters. */
    static String endWithin(String text, int maxBytes) {
        if ((long) text.length() * 3 <= maxBytes) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int from = Math.max(0, bytes.length - Math.max(0, maxBytes));
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++; // a continuation byte: skip to the start of the next character
        }
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
}

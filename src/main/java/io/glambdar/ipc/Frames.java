package io.glambdar.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Message framing on the runtime–worker socket: a 4-byte big-endian unsigned length, then that many bytes of UTF-8 JSON.
 * Channels must be in blocking mode; a concurrent {@code close()} makes a blocked call fail with an IOException.
 */
public final class Frames {

    private static final int HEADER_BYTES = 4;

    private Frames() {
    }

    /** Writes one frame fully: header and payload in one gathering write where the channel supports it. */
    public static void write(WritableByteChannel ch, byte[] payload) throws IOException {
        requireBlocking(ch);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(0, payload.length);
        ByteBuffer body = ByteBuffer.wrap(payload);
        if (ch instanceof GatheringByteChannel gathering) {
            ByteBuffer[] both = {header, body};
            while (header.hasRemaining() || body.hasRemaining()) {
                gathering.write(both);
            }
        } else {
            while (header.hasRemaining()) {
                ch.write(header);
            }
            while (body.hasRemaining()) {
                ch.write(body);
            }
        }
    }

    /**
     * Reads one frame's payload.
     *
     * @throws EOFException      the peer closed the connection cleanly, before a frame started
     * @throws ProtocolException the frame is longer than {@code maxBytes}, or the connection ended inside it
     */
    public static byte[] read(ReadableByteChannel ch, int maxBytes) throws IOException {
        requireBlocking(ch);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (!fill(ch, header)) {
            if (header.position() == 0) {
                throw new EOFException("the worker closed the connection");
            }
            throw new ProtocolException("the connection ended inside a frame header (" + header.position() + " of "
                    + HEADER_BYTES + " bytes)");
        }
        long length = Integer.toUnsignedLong(header.getInt(0));
        if (length > maxBytes) {
            throw new ProtocolException("frame of " + length + " bytes exceeds the limit of " + maxBytes + " bytes");
        }
        ByteBuffer payload = ByteBuffer.allocate((int) length);
        if (!fill(ch, payload)) {
            throw new ProtocolException("the connection ended inside a frame (" + payload.position() + " of " + length
                    + " bytes)");
        }
        return payload.array();
    }

    /** Reads until {@code buf} is full; false if EOF came first. */
    private static boolean fill(ReadableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    // A non-blocking channel would make the loops above spin instead of wait.
    private static void requireBlocking(Object ch) {
        if (ch instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            throw new IllegalArgumentException("frames need a channel in blocking mode");
        }
    }
}

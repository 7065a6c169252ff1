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

    /** First buffer for a frame's payload: the declared length is only a claim, so memory follows what arrives. */
    static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    /**
     * Most bytes moved per read or write call. A heap buffer is copied through a temporary direct buffer as large as
     * what remains in it (and the JDK caches it per thread), so unbounded calls would allocate off-heap the size of
     * the whole frame at once.
     */
    static final int MAX_IO_BYTES = 64 * 1024;

    private Frames() {
    }

    /** Writes one frame fully: header and payload in gathering writes where the channel supports it. */
    public static void write(WritableByteChannel ch, byte[] payload) throws IOException {
        requireBlocking(ch);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(0, payload.length);
        ByteBuffer body = ByteBuffer.wrap(payload);
        ByteBuffer[] both = {header, body};
        while (header.hasRemaining() || body.position() < payload.length) {
            limitToOneCall(body);
            if (ch instanceof GatheringByteChannel gathering) {
                gathering.write(both);
            } else {
                ch.write(header.hasRemaining() ? header : body);
            }
        }
    }

    /**
     * Reads one frame's payload. The buffer starts small and doubles as bytes arrive, up to the declared length, so a
     * peer that announces a large frame and stalls holds little memory. A concurrent {@code close()} of the channel
     * makes a read blocked anywhere in the frame fail with an IOException.
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
            throw new ProtocolException("the worker announced a frame of " + length + " bytes, over the limit of "
                    + maxBytes + " bytes for this message; no well-behaved worker sends that, so the connection"
                    + " cannot be used any more");
        }
        ByteBuffer payload = ByteBuffer.allocate((int) Math.min(length, INITIAL_BUFFER_BYTES));
        while (payload.position() < length) {
            if (payload.position() == payload.capacity()) {
                payload = grown(payload, (int) length);
            }
            limitToOneCall(payload);
            if (ch.read(payload) < 0) {
                throw new ProtocolException("the connection ended inside a frame (" + payload.position() + " of "
                        + length + " bytes)");
            }
        }
        return payload.array(); // exactly length bytes: growth stops at the declared length
    }

    /** A buffer twice as large (at most {@code length}) holding what {@code full} holds, positioned after it. */
    private static ByteBuffer grown(ByteBuffer full, int length) {
        int capacity = full.capacity() > length / 2 ? length : full.capacity() * 2;
        return ByteBuffer.allocate(capacity).put(full.flip());
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

    /** Lets the next read or write move at most {@link #MAX_IO_BYTES} of {@code buf}. */
    private static void limitToOneCall(ByteBuffer buf) {
        buf.limit((int) Math.min(buf.capacity(), (long) buf.position() + MAX_IO_BYTES));
    }

    // A non-blocking channel would make the loops above spin instead of wait.
    private static void requireBlocking(Object ch) {
        if (ch instanceof SelectableChannel selectable && !selectable.isBlocking()) {
            throw new IllegalArgumentException("frames need a channel in blocking mode");
        }
    }
}

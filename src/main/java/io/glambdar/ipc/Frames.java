package io.glambdar.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Message framing on the runtime–worker socket: a 4-byte big-endian unsigned length, then that many bytes of UTF-8 JSON.
 * Channels must be in blocking mode; a concurrent {@code close()} makes a blocked call fail with an IOException.
 */
public final class Frames {

    private static final int HEADER_BYTES = 4;

    /** First chunk of a frame's payload: the declared length is only a claim, so memory follows what arrives. */
    static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    /** Chunks double from {@link #INITIAL_BUFFER_BYTES} up to this: few arrays for a large frame, little slack. */
    static final int MAX_CHUNK_BYTES = 1024 * 1024;

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
     * Reads one frame's payload. It is read into chunks that start small and grow to at most {@link #MAX_CHUNK_BYTES}
     * as bytes arrive, and joined once the frame is complete, so a peer that announces a large frame and stalls holds
     * what it sent and no more (a buffer doubled towards the declared length held up to twice that). A concurrent
     * {@code close()} of the channel makes a read blocked anywhere in the frame fail with an IOException.
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
        long declared = Integer.toUnsignedLong(header.getInt(0));
        if (declared > maxBytes) {
            throw new ProtocolException("the worker announced a frame of " + declared + " bytes, over the limit of "
                    + maxBytes + " bytes for this message; no well-behaved worker sends that, so the connection"
                    + " cannot be used any more");
        }
        int length = (int) declared;
        List<ByteBuffer> chunks = new ArrayList<>();
        int received = 0;
        int nextChunk = INITIAL_BUFFER_BYTES;
        while (received < length) {
            ByteBuffer chunk = ByteBuffer.allocate(Math.min(nextChunk, length - received));
            nextChunk = Math.min(nextChunk * 2, MAX_CHUNK_BYTES);
            while (chunk.position() < chunk.capacity()) {
                limitToOneCall(chunk);
                if (ch.read(chunk) < 0) {
                    throw new ProtocolException("the connection ended inside a frame (" + (received
                            + chunk.position()) + " of " + length + " bytes)");
                }
            }
            received += chunk.capacity();
            chunks.add(chunk);
        }
        return joined(chunks, length);
    }

    /** The chunks' bytes in one array: the only chunk itself when there is one (most frames are small). */
    private static byte[] joined(List<ByteBuffer> chunks, int length) {
        if (chunks.size() == 1) {
            return chunks.getFirst().array();
        }
        byte[] payload = new byte[length];
        int at = 0;
        for (ByteBuffer chunk : chunks) {
            System.arraycopy(chunk.array(), 0, payload, at, chunk.capacity());
            at += chunk.capacity();
        }
        return payload;
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

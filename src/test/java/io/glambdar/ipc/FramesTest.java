package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void roundTrip() throws Exception {
        byte[] payload = "{\"type\":\"ready\",\"node\":\"v22 ✓\"}".getBytes(StandardCharsets.UTF_8);
        byte[] wire = framed(payload);

        assertThat(Arrays.copyOf(wire, 4)).containsExactly(0, 0, 0, payload.length);
        assertThat(Frames.read(Channels.newChannel(new ByteArrayInputStream(wire)), 1024)).isEqualTo(payload);
    }

    @Test
    void emptyPayloadRoundTrips() throws Exception {
        byte[] wire = framed(new byte[0]);

        assertThat(wire).containsExactly(0, 0, 0, 0);
        assertThat(Frames.read(Channels.newChannel(new ByteArrayInputStream(wire)), 10)).isEmpty();
    }

    @Test
    void frameSplitIntoOneByteReadsIsReassembled() throws Exception {
        byte[] first = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] second = new byte[70_000];
        new Random(1).nextBytes(second);
        ReadableByteChannel trickle = oneBytePerRead(concat(framed(first), framed(second)));

        assertThat(Frames.read(trickle, 100_000)).isEqualTo(first);
        assertThat(Frames.read(trickle, 100_000)).isEqualTo(second);
        assertThatThrownBy(() -> Frames.read(trickle, 100_000)).isInstanceOf(EOFException.class);
    }

    @Test
    void twoFramesInOneBufferAreReadSeparately() throws Exception {
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        byte[] second = "second".getBytes(StandardCharsets.UTF_8);
        ReadableByteChannel ch = Channels.newChannel(new ByteArrayInputStream(concat(framed(first), framed(second))));

        assertThat(new String(Frames.read(ch, 100), StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(new String(Frames.read(ch, 100), StandardCharsets.UTF_8)).isEqualTo("second");
    }

    @Test
    void gatheringWriteOverAPipeDeliversLargeFrameIntact() throws Exception {
        Pipe pipe = Pipe.open(); // the sink is a GatheringByteChannel with a small kernel buffer: many partial writes
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(2).nextBytes(payload);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (Pipe.SinkChannel sink = pipe.sink()) {
                Frames.write(sink, payload);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Pipe.SourceChannel source = pipe.source()) {
            assertThat(Frames.read(source, payload.length)).isEqualTo(payload);
        }
        writer.get(30, TimeUnit.SECONDS);
    }

    @Test
    void lengthOverTheLimitIsRejectedBeforeReadingThePayload() {
        byte[] wire = framed(new byte[101]);

        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(wire)), 100))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("101 bytes")
                .hasMessageContaining("limit of 100 bytes");
    }

    @Test
    void lengthIsUnsignedSoAHugeLengthIsRejectedNotNegative() {
        byte[] wire = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};

        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(wire)), Integer.MAX_VALUE))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("4294967295 bytes");
    }

    @Test
    void eofBeforeAFrameIsEofException() {
        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(new byte[0])), 100))
                .isInstanceOf(EOFException.class)
                .isNotInstanceOf(ProtocolException.class);
    }

    @Test
    void eofInsideTheHeaderIsProtocolException() {
        byte[] wire = {0, 0};

        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(wire)), 100))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("2 of 4");
    }

    @Test
    void eofInsideThePayloadIsProtocolException() {
        byte[] wire = Arrays.copyOf(framed("0123456789".getBytes(StandardCharsets.UTF_8)), 4 + 6);

        assertThatThrownBy(() -> Frames.read(oneBytePerRead(wire), 100))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("6 of 10");
    }

    private static byte[] framed(byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Frames.write(Channels.newChannel(out), payload);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** A channel that hands out at most one byte per read, like a very fragmented socket. */
    private static ReadableByteChannel oneBytePerRead(byte[] data) {
        return new ReadableByteChannel() {
            private int position;
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) {
                if (position == data.length) {
                    return -1;
                }
                dst.put(data[position++]);
                return 1;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() {
                open = false;
            }
        };
    }
}

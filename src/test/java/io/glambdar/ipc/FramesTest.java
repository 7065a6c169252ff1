package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
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

    @Test
    void aFrameThatAnnouncesMuchButDeliversLittleAllocatesLittle() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count the bytes a thread allocates");
        byte[] wire = new byte[4 + 10]; // announces 30 MiB, delivers 10 bytes, then the peer is gone
        ByteBuffer.wrap(wire).putInt(30 * 1024 * 1024);
        ReadableByteChannel ch = Channels.newChannel(new ByteArrayInputStream(wire));
        Exception failure = null;

        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            Frames.read(ch, 64 * 1024 * 1024);
        } catch (Exception e) {
            failure = e;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(failure).isInstanceOf(ProtocolException.class).hasMessageContaining("10 of 31457280");
        assertThat(allocated).as("bytes allocated to read 10 bytes of a frame announced as 30 MiB")
                .isLessThan(1024 * 1024);
    }

    @Test
    void aPeerThatStallsMidFrameMakesTheServerHoldWhatItSentNotTheDeclaredLength() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count the bytes a thread allocates");
        int sent = 20 * 1024 * 1024;
        byte[] wire = new byte[4 + sent]; // announces 30 MiB, delivers 20 MiB, then the peer is gone
        ByteBuffer.wrap(wire).putInt(30 * 1024 * 1024);
        ReadableByteChannel ch = Channels.newChannel(new ByteArrayInputStream(wire));

        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> Frames.read(ch, 64 * 1024 * 1024)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining(sent + " of 31457280");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated while 20 MiB of a frame announced as 30 MiB came in")
                .isLessThan(sent + 2L * Frames.MAX_CHUNK_BYTES);
    }

    @Test
    void aFrameOfManyChunksIsJoinedByteForByte() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 12_345];
        new Random(7).nextBytes(payload);

        assertThat(Frames.read(Channels.newChannel(new ByteArrayInputStream(framed(payload))), payload.length))
                .isEqualTo(payload);
    }

    @Test
    void eachReadAsksForAtMost64KibSoTheJdkNeverStagesAWholeFrameOffHeap() throws Exception {
        byte[] payload = new byte[1024 * 1024];
        new Random(5).nextBytes(payload);
        RecordingChannel recording = new RecordingChannel(Channels.newChannel(new ByteArrayInputStream(framed(payload))),
                null);

        assertThat(Frames.read(recording, payload.length)).isEqualTo(payload);
        assertThat(recording.offered).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(64 * 1024));
    }

    @Test
    void eachWriteOffersAtMost64KibOfPayload() throws Exception {
        byte[] payload = new byte[300 * 1024];
        new Random(6).nextBytes(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingChannel recording = new RecordingChannel(null, Channels.newChannel(out));

        Frames.write(recording, payload);

        assertThat(Frames.read(Channels.newChannel(new ByteArrayInputStream(out.toByteArray())), payload.length))
                .isEqualTo(payload);
        assertThat(recording.offered).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(64 * 1024));
    }

    @Test
    void closeFromAnotherThreadUnblocksAReadStalledMidFrame() throws Exception {
        Pipe pipe = Pipe.open();
        byte[] partial = new byte[4 + 10]; // a frame of 1000 bytes, of which the peer sends 10, then stalls
        ByteBuffer.wrap(partial).putInt(1000);
        pipe.sink().write(ByteBuffer.wrap(partial));
        CountDownLatch midFrame = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        Pipe.SourceChannel source = pipe.source();
        ReadableByteChannel counting = new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (received.get() == partial.length) {
                    midFrame.countDown(); // everything sent is read: this read waits for bytes that never come
                }
                int n = source.read(dst);
                received.addAndGet(Math.max(n, 0));
                return n;
            }

            @Override
            public boolean isOpen() {
                return source.isOpen();
            }

            @Override
            public void close() throws IOException {
                source.close();
            }
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> read = BlockedCalls.start(threads, () -> Frames.read(counting, 10_000));
            assertThat(midFrame.await(30, TimeUnit.SECONDS)).as("the reader got the partial frame").isTrue();

            source.close();

            assertThatThrownBy(() -> read.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IOException.class);
        } finally {
            pipe.sink().close();
        }
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

    /** Passes reads and writes on, noting how many bytes each call offered to move. */
    private static final class RecordingChannel implements ByteChannel {
        final List<Integer> offered = new ArrayList<>();
        private final ReadableByteChannel in;
        private final WritableByteChannel out;

        RecordingChannel(ReadableByteChannel in, WritableByteChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            offered.add(dst.remaining());
            return in.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            offered.add(src.remaining());
            return out.write(src);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
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

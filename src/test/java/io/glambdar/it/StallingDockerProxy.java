package io.glambdar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Unix-socket proxy in front of the real Docker engine that can stop answering container creation, as a wedged
 * daemon does (seen on this machine: {@code runc init} hung and {@code docker run} waited 20 minutes). While stalled,
 * a connection that sends a create request is held, bytes and all, until {@link #resume()}; everything else passes.
 */
public final class StallingDockerProxy implements AutoCloseable {

    private static final Path DOCKER_SOCKET = Path.of("/var/run/docker.sock");

    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger held = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public StallingDockerProxy(Path socket) {
        this.socket = socket;
        try {
            Files.deleteIfExists(socket);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::acceptLoop);
    }

    /** What to give as DOCKER_HOST. */
    public String dockerHost() {
        return "unix://" + socket;
    }

    /** From now on, container creation hangs. */
    public void stallCreates() {
        gate = new CountDownLatch(1);
    }

    /** The daemon answers again: held requests go through. */
    public void resume() {
        gate.countDown();
    }

    /** Create requests held so far (released or not). */
    public int heldCreates() {
        return held.get();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                SocketChannel docker = SocketChannel.open(UnixDomainSocketAddress.of(DOCKER_SOCKET));
                threads.execute(() -> pump(client, docker, true));
                threads.execute(() -> pump(docker, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to, boolean requests) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (from; to) {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                if (requests && isCreate(buffer)) {
                    CountDownLatch current = gate;
                    if (current.getCount() > 0) {
                        held.incrementAndGet();
                        current.await();
                    }
                }
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // one side closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isCreate(ByteBuffer buffer) {
        String start = StandardCharsets.ISO_8859_1.decode(buffer.duplicate()).toString();
        int lineEnd = start.indexOf('\n');
        String line = lineEnd < 0 ? start : start.substring(0, lineEnd);
        return line.startsWith("POST ") && line.contains("/containers/create");
    }

    @Override
    public void close() {
        resume();
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort
        }
        threads.shutdownNow();
    }
}

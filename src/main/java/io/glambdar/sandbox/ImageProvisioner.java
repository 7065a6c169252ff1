package io.glambdar.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes sure the Node image exists: use it if present, else pull it, else (offline) build an equivalent minimal image
 * from this host's Node.js with {@code docker import}.
 */
public final class ImageProvisioner {

    private static final Logger log = LoggerFactory.getLogger(ImageProvisioner.class);
    static final String LOCAL_REPOSITORY = "glambdar/node-local";

    private final DockerConnection connection;
    private final DockerClient docker;
    private final Supplier<Optional<HostNode>> hostNode;
    private final Duration pullTimeout;

    public ImageProvisioner(DockerConnection connection, Duration pullTimeout) {
        this(connection, HostNode::find, pullTimeout);
    }

    ImageProvisioner(DockerConnection connection, Supplier<Optional<HostNode>> hostNode, Duration pullTimeout) {
        this.connection = connection;
        this.docker = connection.client();
        this.hostNode = hostNode;
        this.pullTimeout = pullTimeout;
    }

    /** Returns the image reference to run functions with (the configured one, or the locally built stand-in). */
    public String ensure(String image) {
        if (exists(image)) {
            return image;
        }
        String pullError;
        try {
            pull(image);
            log.info("Pulled image {}", image);
            return image;
        } catch (RuntimeException e) {
            pullError = DockerConnection.rootMessage(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while pulling " + image, e);
        }
        HostNode node = hostNode.get().orElseThrow(() -> new SandboxException(
                "image " + image + " is not on this Docker engine and could not be pulled (" + pullError + "),"
                        + " and there is no Node.js on this host to build a stand-in from. Make the image available"
                        + " (docker pull " + image + ", or docker load), set GLAMBDAR_IMAGE to an image that has node,"
                        + " or install Node.js on this host."));
        String local = LOCAL_REPOSITORY + ":" + node.version().replaceFirst("^v", "");
        if (!exists(local)) {
            build(node, local);
        }
        log.info("Could not pull {} ({}); using {} built from this host's Node.js {} ({})",
                image, pullError, local, node.version(), node.executable());
        return local;
    }

    private boolean exists(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private void pull(String image) throws InterruptedException {
        ImageReference ref = ImageReference.parse(image);
        var callback = docker.pullImageCmd(ref.repository()).withTag(ref.tag()).exec(new PullImageResultCallback());
        if (!callback.awaitCompletion(pullTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            try {
                callback.close();
            } catch (IOException ignored) {
                // best effort
            }
            throw new SandboxException("pull did not finish within " + pullTimeout.toSeconds() + " s");
        }
        if (!exists(image)) {
            throw new SandboxException("pull finished but the image is still missing");
        }
    }

    /** Node binary at /usr/local/bin/node (where official images have it), its libraries, a passwd with uid 1000. */
    private void build(HostNode node, String tag) {
        Path tar = null;
        try {
            tar = Files.createTempFile("glambdar-node-image", ".tar");
            try (RootFs rootfs = new RootFs(Files.newOutputStream(tar))) {
                rootfs.directory("tmp", 01777);
                rootfs.directory("function", 0755);
                rootfs.directory("glambdar", 0755);
                rootfs.file("usr/local/bin/node", node.executable());
                for (Path lib : node.sharedObjects()) {
                    rootfs.file(lib.toString().substring(1), lib);
                }
                rootfs.text("etc/passwd", "root:x:0:0:root:/root:/bin/false\nnode:x:1000:1000:node:/tmp:/bin/false\n");
                rootfs.text("etc/group", "root:x:0:\nnode:x:1000:\n");
                rootfs.text("etc/nsswitch.conf", "hosts: files dns\n");
            }
            int colon = tag.lastIndexOf(':');
            try (InputStream in = Files.newInputStream(tar)) {
                connection.importImage(tag.substring(0, colon), tag.substring(colon + 1), in);
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("could not build a Node image from this host's Node.js (" + node.executable()
                    + "): " + DockerConnection.rootMessage(e), e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** A root file system as a tar stream; parent directories are added once, before their first child. */
    private static final class RootFs implements AutoCloseable {
        private final TarArchiveOutputStream tar;
        private final Set<String> directories = new HashSet<>();

        RootFs(OutputStream out) {
            tar = new TarArchiveOutputStream(out);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        void directory(String name, int mode) throws IOException {
            parents(name);
            if (directories.add(name)) {
                TarArchiveEntry entry = new TarArchiveEntry(name + "/");
                entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 | mode);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        }

        void file(String name, Path source) throws IOException {
            parents(name);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(Files.size(source)); // follows symlinks: a loader path is often a soname link
            entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | 0755);
            tar.putArchiveEntry(entry);
            Files.copy(source, tar);
            tar.closeArchiveEntry();
        }

        void text(String name, String content) throws IOException {
            parents(name);
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(bytes.length);
            entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~07777 | 0644);
            tar.putArchiveEntry(entry);
            tar.write(bytes);
            tar.closeArchiveEntry();
        }

        private void parents(String name) throws IOException {
            int slash = name.lastIndexOf('/');
            if (slash > 0) {
                directory(name.substring(0, slash), 0755);
            }
        }

        @Override
        public void close() throws IOException {
            tar.finish();
            tar.close();
        }
    }
}

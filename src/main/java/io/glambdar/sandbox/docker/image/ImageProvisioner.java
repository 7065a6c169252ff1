package io.glambdar.sandbox.docker.image;

import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.docker.DockerConnection;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes sure the Node image exists: use it if present, else pull it, else (offline) build a stand-in with what
 * {@code node:22-slim} offers from this host's Node.js and C runtime ({@link StandInImage}) with {@code docker import}.
 */
public final class ImageProvisioner {

    private static final Logger log = LoggerFactory.getLogger(ImageProvisioner.class);

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

    /**
     * Returns the image reference to run functions with: the default image, or when it can be neither found nor
     * pulled, the locally built stand-in.
     */
    public String ensure(String image) {
        Optional<String> pullError = present(image);
        return pullError.isEmpty() ? image : standIn(image, pullError.get());
    }

    /**
     * Returns {@code image}, which the user named: found, or pulled. Never a stand-in in its place: one who named an
     * image gets it, or a refusal that says why.
     */
    public String require(String image) {
        Optional<String> pullError = present(image);
        if (pullError.isPresent()) {
            throw new SandboxException("image " + image + " is not present and could not be pulled: "
                    + pullError.get() + "; load it with docker load (or docker pull it), or unset GLAMBDAR_IMAGE to"
                    + " use the default");
        }
        return image;
    }

    /** Finds or pulls {@code image}: empty when it is there now, else why the pull failed. */
    private Optional<String> present(String image) {
        if (exists(image)) {
            return Optional.empty();
        }
        try {
            pull(image);
            log.info("Pulled image {}", image);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(DockerConnection.rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while pulling " + image, e);
        }
    }

    private String standIn(String image, String pullError) {
        HostNode node = hostNode.get().orElseThrow(() -> new SandboxException(
                "image " + image + " is not on this Docker engine and could not be pulled (" + pullError + "),"
                        + " and there is no Node.js on this host to build a stand-in from. Make the image available"
                        + " (docker pull " + image + ", or docker load), set GLAMBDAR_IMAGE to an image that has node,"
                        + " or install Node.js on this host."));
        String local;
        try {
            StandInImage standIn = StandInImage.plan(node);
            local = standIn.tag();
            if (!exists(local)) {
                build(standIn.rootfs(), local);
            }
        } catch (IOException | RuntimeException e) {
            throw new SandboxException("could not build a Node image from this host's Node.js (" + node.executable()
                    + "): " + DockerConnection.rootMessage(e), e);
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

    /** {@code docker import} of {@code rootfs} as {@code tag}, whether or not that tag exists already. */
    void build(RootFs rootfs, String tag) throws IOException {
        Path tar = Files.createTempFile("glambdar-node-image", ".tar");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
                rootfs.writeTar(out);
            }
            int colon = tag.lastIndexOf(':');
            try (InputStream in = Files.newInputStream(tar)) {
                connection.importImage(tag.substring(0, colon), tag.substring(colon + 1), in);
            }
        } finally {
            Files.deleteIfExists(tar);
        }
    }
}

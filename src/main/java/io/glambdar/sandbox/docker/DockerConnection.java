package io.glambdar.sandbox.docker;

import io.glambdar.sandbox.SandboxException;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Docker Engine API client, configured the way the {@code docker} CLI is ({@code DOCKER_HOST}, default socket).
 */
public final class DockerConnection implements Closeable {

    private final DockerClient client;
    private final DockerHttpClient http;
    private final String host;
    private final Info info;

    private DockerConnection(DockerClient client, DockerHttpClient http, String host, Info info) {
        this.client = client;
        this.http = http;
        this.host = host;
        this.info = info;
    }

    /** Connects and checks the engine answers, so a missing daemon is reported at start-up, not at the first call. */
    public static DockerConnection open() {
        return open(null);
    }

    /**
     * Connects to the engine at {@code dockerHost} (e.g. {@code unix:///var/run/docker.sock}), or where the
     * {@code docker} CLI would ({@code DOCKER_HOST}, the default socket) when it is null.
     */
    public static DockerConnection open(String dockerHost) {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (dockerHost != null) {
            builder.withDockerHost(dockerHost);
        }
        DockerClientConfig config = builder.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                // Every running invocation may hold a connection (create, start, remove): don't queue them.
                .maxConnections(1024)
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        DockerClient client = DockerClientImpl.getInstance(config, http);
        String host = config.getDockerHost().toString();
        Info info;
        try {
            info = client.infoCmd().exec(); // answers like a ping, and tells what the log and the limits need
        } catch (RuntimeException e) {
            try {
                client.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new SandboxException("cannot reach the Docker engine at " + host + ": " + rootMessage(e)
                    + ". Start Docker (e.g. `dockerd &` or `systemctl start docker`) or set DOCKER_HOST.", e);
        }
        return new DockerConnection(client, http, host, info);
    }

    public DockerClient client() {
        return client;
    }

    /**
     * {@code docker import}: makes an image from a root file system tarball. Sent through the transport directly
     * because docker-java's {@code createImageCmd} serialises the stream as JSON instead of sending it (3.7.1).
     */
    public void importImage(String repository, String tag, InputStream rootfsTar) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/images/create?fromSrc=-&repo=" + URLEncoder.encode(repository, StandardCharsets.UTF_8)
                        + "&tag=" + URLEncoder.encode(tag, StandardCharsets.UTF_8))
                .putHeader("Content-Type", "application/x-tar")
                .body(rootfsTar)
                .build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            String body = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
            if (response.getStatusCode() != 200 || body.contains("\"error\"")) {
                throw new SandboxException("docker import failed (" + response.getStatusCode() + "): " + body.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Memory of the engine's host, for sizing the default container limit. */
    public long memoryBytes() {
        Long total = info.getMemTotal();
        return total == null ? Runtime.getRuntime().maxMemory() : total;
    }

    /** A one-line description of the engine, for the start-up log. */
    public String describe() {
        return "Docker " + info.getServerVersion() + " at " + host
                + " (storage " + info.getDriver() + ", " + info.getNCPU() + " CPUs)";
    }

    /** The innermost message of a failure: what Docker actually said. */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message.strip();
    }

    /**
     * What went wrong, for an error a user reads: the root cause, said to be the engine not answering when the
     * connection itself failed (the daemon stopped, its socket gone) rather than Docker refusing the request.
     */
    public static String describe(Throwable e) {
        boolean refusedByDocker = false;
        boolean connectionFailed = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            refusedByDocker |= t instanceof DockerException;
            connectionFailed |= t instanceof IOException;
        }
        String root = rootMessage(e);
        return connectionFailed && !refusedByDocker
                ? "the Docker engine did not answer (" + root + "); check that it is running (systemctl status docker,"
                + " or docker version), the next invocation tries again"
                : root;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}

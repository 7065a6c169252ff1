package io.glambdar.sandbox.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;

import static org.assertj.core.api.Assertions.assertThat;

class DockerConnectionTest {

    @Test
    void aFailedConnectionIsTheEngineNotAnsweringWithWhatToCheck() {
        // What docker-java throws when the daemon's socket is gone: an I/O error, wrapped.
        RuntimeException gone = new RuntimeException(new UncheckedIOException(
                new IOException("No such file or directory")));
        RuntimeException reset = new RuntimeException(new SocketException("Broken pipe"));

        assertThat(DockerConnection.describe(gone)).startsWith("the Docker engine did not answer (No such file or"
                + " directory); check that it is running");
        assertThat(DockerConnection.describe(reset)).contains("did not answer (Broken pipe)");
    }

    @Test
    void aRequestDockerRefusedIsDockersOwnMessage() {
        assertThat(DockerConnection.describe(new NotFoundException("network bogus not found")))
                .endsWith("network bogus not found").doesNotContain("did not answer");
        assertThat(DockerConnection.describe(new IllegalStateException("odd"))).isEqualTo("odd");
    }
}

package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HostNodeTest {

    @Test
    void describesTheHostsNodeWithItsVersionAndLibraries() throws Exception {
        Path node = Path.of("/usr/bin/node");
        Assumptions.assumeTrue(Files.isExecutable(node), "no node at " + node + " on this host");
        String version = run(node.toString(), "-p", "process.version");

        Optional<HostNode> described = HostNode.describe(node);

        assertThat(described).get().satisfies(host -> {
            assertThat(host.version()).isEqualTo(version).startsWith("v");
            assertThat(host.executable()).isEqualTo(node.toRealPath());
            assertThat(host.sharedObjects()).isNotEmpty()
                    .allSatisfy(lib -> {
                        assertThat(lib).isAbsolute();
                        assertThat(lib).isRegularFile();
                    })
                    .anySatisfy(lib -> assertThat(lib.getFileName().toString()).startsWith("libc.so"));
        });
    }

    @Test
    void aProgramThatFailsOrIsMissingIsNotDescribed() {
        assertThat(HostNode.describe(Path.of("/bin/false"))).isEmpty();
        assertThat(HostNode.describe(Path.of("/bin/echo"))).isEmpty(); // prints "-e <script>": not JSON
        assertThat(HostNode.describe(Path.of("/no/such/node"))).isEmpty();
    }

    @Test
    void aProgramThatIsNotNodeIsNotDescribed() {
        assertThat(HostNode.describe(Path.of("/bin/true"))).isEmpty();
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}

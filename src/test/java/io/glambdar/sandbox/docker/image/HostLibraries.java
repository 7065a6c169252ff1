package io.glambdar.sandbox.docker.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Libraries this test JVM itself has loaded, found in /proc/self/maps (Linux with glibc). */
final class HostLibraries {

    private HostLibraries() {
    }

    /** The libc.so.6 the loader opened for this JVM; skips the test on a host without one (musl, macOS). */
    static Path libc() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "not Linux");
        Path libc = Files.readAllLines(maps).stream()
                .map(line -> line.substring(line.indexOf('/') < 0 ? line.length() : line.indexOf('/')))
                .filter(path -> path.endsWith("/libc.so.6"))
                .map(Path::of)
                .findFirst().orElse(null);
        assumeTrue(libc != null, "no glibc in this JVM");
        return libc;
    }
}

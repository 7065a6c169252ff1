package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ElfVersionDefinitionsTest {

    @TempDir
    Path dir;

    @Test
    void glibcsLibcDefinesGlibcVersions() throws IOException {
        Path libc = HostLibraries.libc();

        assertThat(ElfVersionDefinitions.of(libc)).anyMatch(name -> name.startsWith("GLIBC_2."))
                .contains("GLIBC_PRIVATE");
        assertThat(ElfVersionDefinitions.isGlibc(libc)).isTrue();
    }

    @Test
    void aLibraryFromElsewhereIsNotGlibc() throws IOException {
        Path jvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");

        assertThat(ElfVersionDefinitions.isGlibc(jvm)).isFalse();
    }

    @Test
    void whatIsNotAWholeElfFileDefinesNothing() throws IOException {
        Path text = Files.writeString(dir.resolve("libc.so"), "/* GNU ld script */ GROUP ( libc.so.6 )");
        Path empty = Files.createFile(dir.resolve("empty.so"));
        Path truncated = dir.resolve("truncated.so");
        try (InputStream in = Files.newInputStream(HostLibraries.libc())) {
            Files.write(truncated, in.readNBytes(4096)); // headers point past the end
        }

        assertThat(ElfVersionDefinitions.of(text)).isEmpty();
        assertThat(ElfVersionDefinitions.of(empty)).isEmpty();
        assertThat(ElfVersionDefinitions.of(truncated)).isEmpty();
    }
}

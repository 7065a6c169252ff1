package io.glambdar.sandbox.docker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostToolsTest {

    private static final Path DASH = Path.of("/usr/bin/dash");
    private static final Path LS = Path.of("/usr/bin/ls");
    private static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    private static final Path LOADER = Path.of("/lib64/ld-linux-x86-64.so.2");

    @Test
    void oneProgramsLibrariesAreAtTheirLoaderPathsWithoutTheKernelsOwn() {
        String output = """
                \tlinux-vdso.so.1 (0x00007ffd6b7f2000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e5c3c5000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f0e5c5db000)
                """;

        assertThat(HostTools.parseLdd(List.of(DASH), output)).isEqualTo(Map.of(DASH, List.of(LIBC, LOADER)));
    }

    @Test
    void severalProgramsHaveASectionEachAndAStaticOneNeedsNoLibraries() {
        Path busybox = Path.of("/usr/bin/busybox");
        String output = """
                /usr/bin/dash:
                \tlinux-vdso.so.1 (0x00007ffd6b7f2000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e5c3c5000)
                /usr/bin/busybox:
                \tnot a dynamic executable
                /usr/bin/ls:
                \tlibselinux.so.1 => /lib/x86_64-linux-gnu/libselinux.so.1 (0x00007fc4cdac4000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fc4cd8e2000)
                """;

        assertThat(HostTools.parseLdd(List.of(DASH, busybox, LS), output)).isEqualTo(Map.of(
                DASH, List.of(LIBC),
                busybox, List.of(),
                LS, List.of(Path.of("/lib/x86_64-linux-gnu/libselinux.so.1"), LIBC)));
    }

    @Test
    void aProgramWithAMissingLibraryOrNoAnswerIsLeftOut() {
        String output = """
                /usr/bin/dash:
                \tlibgone.so.1 => not found
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e5c3c5000)
                /usr/bin/ls:
                ldd: exited with unknown exit code (139)
                """;

        assertThat(HostTools.parseLdd(List.of(DASH, LS), output)).isEmpty();
    }

    @Test
    void onADebianHostTheShellIsDashWithLibcAndTheUtilitiesAreThere() {
        assumeTrue(Files.isExecutable(DASH), "no dash on this host");

        HostTools tools = HostTools.find();

        assertThat(tools.shell()).isEqualTo(Optional.of(DASH));
        assertThat(tools.libraries()).anyMatch(library -> library.getFileName().toString().equals("libc.so.6"));
        assertThat(tools.utilities()).contains(Path.of("/usr/bin/env"), LS, Path.of("/usr/bin/cat"));
    }
}

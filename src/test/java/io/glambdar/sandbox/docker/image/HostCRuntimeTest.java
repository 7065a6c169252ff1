package io.glambdar.sandbox.docker.image;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostCRuntimeTest {

    @Test
    void glibcsLibrariesAndTheCxxRuntimeAreFoundNextToLibc() throws IOException {
        Path libc = HostLibraries.libc();
        Path folder = libc.getParent();

        HostCRuntime runtime = HostCRuntime.around(libc);

        List<String> names = runtime.libraries().stream().map(path -> path.getFileName().toString()).toList();
        assertThat(runtime.libraries()).allSatisfy(path -> assertThat(path.getParent()).isEqualTo(folder));
        assertThat(names).contains("libc.so.6", "libm.so.6", "libresolv.so.2", "libnss_files.so.2", "libnss_dns.so.2");
        for (String optional : List.of("libpthread.so.0", "librt.so.1", "libdl.so.2", "libutil.so.1", "libanl.so.1",
                "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libstdc++.so.6", "libgcc_s.so.1")) {
            if (Files.exists(folder.resolve(optional))) {
                assertThat(names).as("on this host").contains(optional);
            }
        }
        assertThat(names).doesNotContain("libnss_systemd.so.2", "libnss3.so", "libz.so.1", "libc.so");
        assertThat(names).doesNotHaveDuplicates();
    }
}

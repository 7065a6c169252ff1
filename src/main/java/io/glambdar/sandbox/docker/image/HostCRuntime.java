package io.glambdar.sandbox.docker.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * This host's C runtime, found from where its libc lives rather than from a list of file names: in libc's folder,
 * every shared object that defines a {@code GLIBC_*} symbol version (libc, libm, libresolv, libnss_*, libpthread,
 * librt, libdl, libutil, libanl, the dynamic loader, …, whatever this glibc release ships) and the versioned links
 * to them; libstdc++ and libgcc_s from the same folder; and glibc's iconv modules.
 *
 * @param libraries    the libraries, as paths in libc's folder
 * @param iconvModules glibc's {@code gconv} folder, when there is one
 */
record HostCRuntime(List<Path> libraries, Optional<Path> iconvModules) {

    /** Sonames of the C++ runtime that native addons link (g++ builds need both). */
    static final List<String> CXX_RUNTIME = List.of("libstdc++.so.6", "libgcc_s.so.1");

    private static final Pattern SHARED_OBJECT = Pattern.compile(".+\\.so(\\.\\d+)*");
    private static final Pattern VERSIONED_SHARED_OBJECT = Pattern.compile(".+\\.so(\\.\\d+)+");

    /** The C runtime around {@code libc} (the path the loader opened, e.g. {@code /lib/x86_64-linux-gnu/libc.so.6}). */
    static HostCRuntime around(Path libc) throws IOException {
        Path folder = libc.toAbsolutePath().getParent();
        List<Path> children;
        try (Stream<Path> list = Files.list(folder)) {
            children = list.filter(child -> SHARED_OBJECT.matcher(child.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        }
        List<Path> libraries = new ArrayList<>();
        Set<Path> glibcFiles = new HashSet<>();
        for (Path child : children) {
            if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS) && ElfVersionDefinitions.isGlibc(child)) {
                libraries.add(child);
                glibcFiles.add(child.toRealPath());
            }
        }
        for (Path child : children) { // soname links, e.g. libc.so.6 -> libc-2.31.so before glibc 2.34
            if (Files.isSymbolicLink(child) && VERSIONED_SHARED_OBJECT.matcher(child.getFileName().toString()).matches()
                    && Files.exists(child) && glibcFiles.contains(child.toRealPath())) {
                libraries.add(child);
            }
        }
        for (String soname : CXX_RUNTIME) {
            Path library = folder.resolve(soname);
            if (Files.exists(library)) {
                libraries.add(library);
            }
        }
        return new HostCRuntime(List.copyOf(libraries), iconvModules(folder.toRealPath()));
    }

    /** gconv next to libc, or under /usr when libc lives in a /lib that is not merged into /usr. */
    private static Optional<Path> iconvModules(Path realFolder) {
        List<Path> candidates = new ArrayList<>(List.of(realFolder.resolve("gconv")));
        if (!realFolder.startsWith("/usr")) {
            candidates.add(Path.of("/usr").resolve(realFolder.getRoot().relativize(realFolder)).resolve("gconv"));
        }
        return candidates.stream().filter(Files::isDirectory).findFirst();
    }
}

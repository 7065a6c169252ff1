package io.glambdar.ipc;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Programs on this machine's PATH, for tests that run them. */
final class HostPrograms {

    private HostPrograms() {
    }

    /** The program's path, or null when it is not on PATH. */
    static Path find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

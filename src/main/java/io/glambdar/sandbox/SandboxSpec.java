package io.glambdar.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * What differs between function sandboxes.
 *
 * @param functionName for labels and names
 * @param codeDir      host folder with the function's code, mounted read-only at {@code /function}
 * @param memoryMb     memory limit (swap is not allowed on top)
 * @param cpus         CPU limit in cores
 * @param env          the function's environment variables
 * @param tmpMb        size of the writable {@code /tmp}, a tmpfs: memory of the sandbox, within {@code memoryMb}
 */
public record SandboxSpec(String functionName, Path codeDir, int memoryMb, double cpus, Map<String, String> env,
                          int tmpMb) {

    public SandboxSpec {
        env = Map.copyOf(env);
        if (tmpMb < 1) {
            throw new IllegalArgumentException("tmpMb must be at least 1, got " + tmpMb);
        }
    }
}

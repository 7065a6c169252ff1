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
 */
public record SandboxSpec(String functionName, Path codeDir, int memoryMb, double cpus, Map<String, String> env) {

    public SandboxSpec {
        env = Map.copyOf(env);
    }
}

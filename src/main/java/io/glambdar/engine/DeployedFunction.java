package io.glambdar.engine;

import io.glambdar.function.FunctionSettings;
import java.nio.file.Path;

/**
 * A function as the engine runs it.
 *
 * @param name         the function's name
 * @param deploymentId identifies this deploy of the name: containers of an earlier deploy are never used for it
 * @param codeDir      host folder whose {@code index.js} is the function (mounted read-only)
 * @param settings     its limits and environment
 */
public record DeployedFunction(String name, String deploymentId, Path codeDir, FunctionSettings settings) {
}

package io.glambdar.sandbox.docker;

import io.glambdar.ipc.ReplyLimits;

import java.nio.file.Path;

/**
 * How every function container is made, whatever the function.
 *
 * @param image         image with {@code node} on its PATH
 * @param network       Docker network mode ({@code none}, {@code bridge}, a network name), or null for Docker's default
 * @param uid           user (and group) id the function runs as: never root, and best not a real user of the host
 * @param pidsLimit     most processes/threads a function may have
 * @param socketsDir    host folder that holds one sub-folder (with one socket) per container
 * @param runtimeDir    host folder that holds the worker script, mounted read-only
 * @param ownerLabel    value of the owner label: containers with another owner (another Glambdar) are never touched
 * @param replyLimits   what a worker may send: body, logs, headers (the worker is told the body limit too)
 * @param logMaxBytes   most bytes of output Docker keeps per container (its json-file log is capped at this)
 */
public record DockerSandboxConfig(String image, String network, int uid, long pidsLimit, Path socketsDir,
                                  Path runtimeDir, String ownerLabel, ReplyLimits replyLimits, long logMaxBytes) {

    public DockerSandboxConfig {
        if (uid <= 0) {
            throw new IllegalArgumentException("functions never run as root: the container uid must be positive, got "
                    + uid);
        }
    }

    /** {@code uid:gid} as Docker's {@code User} field wants it (the group id is the user id). */
    String user() {
        return uid + ":" + uid;
    }
}

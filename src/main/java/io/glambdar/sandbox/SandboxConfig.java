package io.glambdar.sandbox;

import java.nio.file.Path;

/**
 * How every function container is made, whatever the function.
 *
 * @param image         image with {@code node} on its PATH
 * @param network       Docker network mode ({@code none}, {@code bridge}, a network name), or null for Docker's default
 * @param user          uid:gid the function runs as (never root)
 * @param pidsLimit     most processes/threads a function may have
 * @param tmpfsMb       size of the writable {@code /tmp}
 * @param socketsDir    host folder that holds one sub-folder (with one socket) per container
 * @param runtimeDir    host folder that holds the worker script, mounted read-only
 * @param ownerLabel    value of the owner label: containers with another owner (another Glambdar) are never touched
 * @param maxReplyBytes largest reply a worker may send
 */
public record SandboxConfig(String image, String network, String user, long pidsLimit, int tmpfsMb,
                            Path socketsDir, Path runtimeDir, String ownerLabel, int maxReplyBytes) {
}

package io.glambdar.sandbox;

/**
 * How a container ended, to explain a worker that vanished mid-invocation.
 *
 * @param exitCode  the process's exit code, or null when it is still running or unknown
 * @param oomKilled whether the kernel killed it for exceeding its memory limit
 */
public record SandboxExit(Integer exitCode, boolean oomKilled) {

    public static final SandboxExit UNKNOWN = new SandboxExit(null, false);

    /** A phrase that completes "the function's process ...". */
    public String describe(int memoryMb) {
        if (oomKilled) {
            return "was killed for using more than its " + memoryMb + " MB memory limit"
                    + " (raise \"memory\" in glambdar.json)";
        }
        if (exitCode == null) {
            return "closed its connection without replying";
        }
        return "exited with code " + exitCode + " before replying";
    }
}

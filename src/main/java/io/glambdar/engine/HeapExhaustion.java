package io.glambdar.engine;

import io.glambdar.sandbox.SandboxExit;

import java.util.regex.Pattern;

/**
 * Whether a process that vanished ran out of JavaScript heap, and how to say so. V8 then prints
 * {@code FATAL ERROR: ... JavaScript heap out of memory} on stderr and aborts (a signal: exit code 128 + n), before the
 * container's own memory limit is reached, so the kernel's OOM flag does not tell. The function's code runs in that
 * process and could print the same line and abort itself; nothing outside V8 tells the two apart, and a function
 * that does so only mislabels its own failure. The line must be in what Docker kept of the process's output.
 */
final class HeapExhaustion {

    private static final Pattern V8_FATAL_OOM =
            Pattern.compile("(?m)^FATAL ERROR: [^\\n]*JavaScript heap out of memory\\s*$");
    /** Exit codes from 128 on say a signal ended the process (abort's SIGABRT, or SIGSEGV when it ran as PID 1). */
    private static final int KILLED_BY_SIGNAL = 128;
    private static final long MIB = 1024 * 1024;

    private HeapExhaustion() {
    }

    /** Whether V8 ran out of heap: its fatal error is in {@code printed} and a signal ended the process. */
    static boolean reported(String printed, SandboxExit exit) {
        return exit.exitCode() != null && exit.exitCode() >= KILLED_BY_SIGNAL && V8_FATAL_OOM.matcher(printed).find();
    }

    /**
     * A phrase that completes "the function's process ...".
     *
     * @param heapLimitBytes V8's heap limit as the worker reported it, or null when unknown
     */
    static String describe(Long heapLimitBytes, int memoryMb) {
        String limit = heapLimitBytes == null ? "its limit" : "its limit of " + heapLimitBytes / MIB + " MB";
        return "ran out of memory: its JavaScript heap reached " + limit + ", which Node sets from the function's "
                + memoryMb + " MB \"memory\" (raise \"memory\" in glambdar.json, or hold less in memory at once)";
    }
}

package io.glambdar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a process has used, user and system, as the kernel reports it in {@code /proc/<pid>/stat}: divided by
 * the calls served, a second view of what a change costs per call, beside the calls per second.
 */
record ProcessCpu(long ticks) {

    /** {@code /proc} counts in USER_HZ, 100 per second on Linux whatever the kernel's own tick. */
    static final int TICKS_PER_SECOND = 100;

    static ProcessCpu of(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /**
     * A stat line: {@code pid (comm) state ...}, utime and stime being the 14th and 15th fields. The command name may
     * hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static ProcessCpu parse(String stat) throws IOException {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IOException("not a /proc stat line: " + stat);
        }
        String[] fields = stat.substring(close + 2).trim().split(" ");
        // fields[0] is the 3rd field (state): utime is the 14th, stime the 15th
        if (fields.length < 13) {
            throw new IOException("too few fields in /proc stat line: " + stat);
        }
        return new ProcessCpu(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
    }

    /** Microseconds of CPU per call from {@code earlier} to this, over {@code calls} calls. */
    double microsPerCall(ProcessCpu earlier, long calls) {
        return calls == 0 ? Double.NaN : (ticks - earlier.ticks) * (1e6 / TICKS_PER_SECOND) / calls;
    }
}

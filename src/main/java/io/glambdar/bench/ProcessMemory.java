package io.glambdar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A process's resident memory as the kernel reports it in {@code /proc/<pid>/status}: now ({@code VmRSS}) and the
 * most it has held since it started ({@code VmHWM}).
 */
record ProcessMemory(long rssKib, long highWaterMarkKib) {

    static ProcessMemory of(long pid) throws IOException {
        return parse(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** The lines of a status file, e.g. {@code VmRSS:	  123456 kB}. */
    static ProcessMemory parse(List<String> status) throws IOException {
        Map<String, Long> kib = new HashMap<>();
        for (String line : status) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.endsWith(" kB")) {
                kib.put(line.substring(0, colon), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()));
            }
        }
        Long rss = kib.get("VmRSS");
        Long highWaterMark = kib.get("VmHWM");
        if (rss == null || highWaterMark == null) {
            throw new IOException("no VmRSS and VmHWM in the process status (has the process exited?)");
        }
        return new ProcessMemory(rss, highWaterMark);
    }

    double rssMib() {
        return rssKib / 1024.0;
    }

    double highWaterMarkMib() {
        return highWaterMarkKib / 1024.0;
    }
}

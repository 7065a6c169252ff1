package io.glambdar.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The report's memory figures: each configuration's server, idle and under load, and one idle warm container. */
final class MemorySection {

    /**
     * One configuration's server.
     *
     * @param idle      read once the server is idle, before the latency runs
     * @param underLoad sampled through the throughput run at {@link BenchCommand#MEMORY_CONCURRENCY}
     * @param afterLoad read right after that run, for its high-water mark
     */
    record ServerMemory(String label, ProcessMemory idle, RssSamples underLoad, ProcessMemory afterLoad) {
    }

    private final List<ServerMemory> servers = new ArrayList<>();
    private List<ContainerMemory> warmContainers = List.of();

    void server(ServerMemory memory) {
        servers.add(memory);
    }

    void warmContainers(List<ContainerMemory> readings) {
        warmContainers = List.copyOf(readings);
    }

    void appendTo(StringBuilder md) {
        int c = BenchCommand.MEMORY_CONCURRENCY;
        md.append("\n## Memory\n\nEach configuration's server runs in a JVM of its own (`glambdar serve`, the JVM's"
                + " default heap sizing), apart from the load generator, so these figures are the server's alone:"
                + " its resident memory (`VmRSS` in `/proc/<pid>/status`), in MiB. *Idle*: after the JIT warm-up"
                + " (3,000 calls), the deploy of hello and, but for reuse, the container-path warm-up, once no"
                + " invocation has run or waited and the number of containers has not changed for ")
                .append(ServerApi.QUIET.toSeconds()).append(" s; before the latency runs. *c=").append(c)
                .append("*: sampled every ").append(RssSampler.INTERVAL.toMillis()).append(" ms through the c=")
                .append(c).append(" throughput run. *High-water mark*: `VmHWM` right after that run, the most the"
                        + " server has held since it started, warm-ups included.\n\n");
        md.append("| | idle | c=").append(c).append(" median | c=").append(c)
                .append(" peak | samples | high-water mark |\n|---|---:|---:|---:|---:|---:|\n");
        for (ServerMemory server : servers) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s |%n", server.label(),
                    mib(server.idle().rssMib()), mib(server.underLoad().medianMib()),
                    mib(server.underLoad().peakMib()), server.underLoad().count(),
                    mib(server.afterLoad().highWaterMarkMib())));
        }
        md.append('\n').append(warmContainerSentence()).append('\n');
    }

    private String warmContainerSentence() {
        if (warmContainers.isEmpty()) {
            return "No idle warm container of hello was found to measure.";
        }
        double[] sortedMib = warmContainers.stream().mapToDouble(ContainerMemory::usedMib).sorted().toArray();
        ContainerMemory first = warmContainers.getFirst();
        String spread = sortedMib.length == 1 ? "one container"
                : String.format(Locale.ROOT, "median of %d containers, %s to %s", sortedMib.length,
                mib(sortedMib[0]), mib(sortedMib[sortedMib.length - 1]));
        String formula = first.cacheSubtracted() == null ? "`memory_stats.usage` (no inactive file count reported)"
                : "`memory_stats.usage` minus `memory_stats.stats." + first.cacheSubtracted() + "`"
                + (first.cacheSubtracted().startsWith("total_") ? " (cgroup v1)" : " (cgroup v2)");
        return String.format(Locale.ROOT, "One warm single-use container of hello, idle (started for the pool, ready,"
                        + " no invocation): **%s** of its %s limit (%s), read once the warm single-use server was idle"
                        + " after its latency run, through the Docker Engine API (`GET /containers/{id}/stats?stream="
                        + "false`): %s, as `docker stats` computes it since Docker 20.10. That is what the"
                        + " container's cgroup is charged, chiefly the Node.js process's own (anonymous) memory: the"
                        + " pages of the node binary and its libraries are page cache shared by every container, charged"
                        + " to whichever cgroup read them first, so they are usually not counted here.",
                mib(Percentiles.nearestRank(sortedMib, 50)), mib(first.limitMib()), spread, formula);
    }

    private static String mib(double mib) {
        return String.format(Locale.ROOT, "%.1f MiB", mib);
    }
}

package io.glambdar.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatsConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.InvocationBuilder;
import io.glambdar.sandbox.docker.DockerSandboxBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The memory a container uses, as {@code docker stats} computes it (Docker 20.10 and later): the cgroup's usage
 * minus its inactive file pages, page cache the kernel can drop at once.
 *
 * @param cacheSubtracted the {@code memory_stats.stats} field subtracted from {@code memory_stats.usage}, or null
 */
record ContainerMemory(long usedBytes, long limitBytes, String cacheSubtracted) {

    private static final double MIB = 1024.0 * 1024;

    /**
     * One reading (the Engine API's stats, not streamed) of each running container of {@code function} whose owner
     * label is {@code owner}, oldest first, at most {@code most}. A container removed meanwhile is left out.
     */
    static List<ContainerMemory> ofFunction(DockerClient docker, String function, String owner, int most) {
        List<Container> containers = docker.listContainersCmd()
                .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_FUNCTION, function,
                        DockerSandboxBackend.LABEL_OWNER, owner))
                .withStatusFilter(List.of("running")).exec();
        List<ContainerMemory> readings = new ArrayList<>();
        for (Container container : containers.stream().sorted(Comparator.comparing(Container::getCreated))
                .limit(most).toList()) {
            try {
                Statistics stats = docker.statsCmd(container.getId()).withNoStream(true)
                        .exec(new InvocationBuilder.AsyncResultCallback<>()).awaitResult();
                if (stats != null && stats.getMemoryStats() != null && stats.getMemoryStats().getUsage() != null) {
                    readings.add(of(stats.getMemoryStats()));
                }
            } catch (NotFoundException e) {
                // trimmed from the pool while we looked
            }
        }
        return readings;
    }

    /** cgroup v1 reports {@code total_inactive_file}, cgroup v2 {@code inactive_file}; as the docker CLI does. */
    static ContainerMemory of(MemoryStatsConfig memory) {
        long usage = memory.getUsage();
        long limit = memory.getLimit() == null ? 0 : memory.getLimit();
        StatsConfig stats = memory.getStats();
        if (stats != null && stats.getTotalInactiveFile() != null && stats.getTotalInactiveFile() < usage) {
            return new ContainerMemory(usage - stats.getTotalInactiveFile(), limit, "total_inactive_file");
        }
        if (stats != null && stats.getInactiveFile() != null && stats.getInactiveFile() < usage) {
            return new ContainerMemory(usage - stats.getInactiveFile(), limit, "inactive_file");
        }
        return new ContainerMemory(usage, limit, null);
    }

    double usedMib() {
        return usedBytes / MIB;
    }

    double limitMib() {
        return limitBytes / MIB;
    }
}

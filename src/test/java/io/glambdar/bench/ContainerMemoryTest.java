package io.glambdar.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Statistics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Engine API's stats JSON (abridged) as docker-java reads it. */
class ContainerMemoryTest {

    /** Like docker-java's own: fields the engine reports and docker-java does not know are skipped. */
    private static final ObjectMapper DOCKER_JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final long MIB = 1024 * 1024;

    @Test
    void cgroupV1SubtractsTheTotalInactiveFilePages() throws Exception {
        ContainerMemory memory = read("""
                {"memory_stats": {"usage": %d, "limit": %d,
                  "stats": {"cache": %d, "inactive_file": %d, "total_inactive_file": %d}}}
                """.formatted(50 * MIB, 128 * MIB, 12 * MIB, 7 * MIB, 8 * MIB));

        assertThat(memory).isEqualTo(new ContainerMemory(42 * MIB, 128 * MIB, "total_inactive_file"));
        assertThat(memory.usedMib()).isEqualTo(42.0);
        assertThat(memory.limitMib()).isEqualTo(128.0);
    }

    @Test
    void cgroupV2SubtractsTheInactiveFilePages() throws Exception {
        ContainerMemory memory = read("""
                {"memory_stats": {"usage": %d, "limit": %d, "stats": {"inactive_file": %d, "anon": %d}}}
                """.formatted(50 * MIB, 128 * MIB, 8 * MIB, 40 * MIB));

        assertThat(memory).isEqualTo(new ContainerMemory(42 * MIB, 128 * MIB, "inactive_file"));
    }

    @Test
    void withoutInactiveFilePagesTheUsageIsTakenAsItIs() throws Exception {
        ContainerMemory memory = read("""
                {"memory_stats": {"usage": %d, "limit": %d}}
                """.formatted(50 * MIB, 128 * MIB));

        assertThat(memory).isEqualTo(new ContainerMemory(50 * MIB, 128 * MIB, null));
    }

    private static ContainerMemory read(String json) throws Exception {
        return ContainerMemory.of(DOCKER_JSON.readValue(json, Statistics.class).getMemoryStats());
    }
}

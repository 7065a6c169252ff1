package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessMemoryTest {

    @Test
    void readsResidentMemoryAndItsHighWaterMarkFromAStatusFile() throws IOException {
        ProcessMemory memory = ProcessMemory.parse(List.of(
                "Name:\tjava", "VmPeak:\t 5000000 kB", "VmHWM:\t  307200 kB", "VmRSS:\t  204800 kB",
                "Threads:\t42"));

        assertThat(memory).isEqualTo(new ProcessMemory(204800, 307200));
        assertThat(memory.rssMib()).isEqualTo(200.0);
        assertThat(memory.highWaterMarkMib()).isEqualTo(300.0);
    }

    @Test
    void aStatusWithoutMemoryLinesIsAnError() {
        // a zombie's status has no Vm lines
        assertThatThrownBy(() -> ProcessMemory.parse(List.of("Name:\tjava", "State:\tZ (zombie)")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void readsThisProcess() throws IOException {
        ProcessMemory memory = ProcessMemory.of(ProcessHandle.current().pid());

        assertThat(memory.rssKib()).isPositive().isLessThanOrEqualTo(memory.highWaterMarkKib());
    }
}

package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessCpuTest {

    @Test
    void userAndSystemTimeAreTheFourteenthAndFifteenthFields() throws IOException {
        String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 120 0 0 0 1500 250 0 0 20 0 40 0 1234 0 0";
        assertThat(ProcessCpu.parse(stat).ticks()).isEqualTo(1750);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
        String stat = "7 (my (odd) name) R 1 7 7 0 -1 0 0 0 0 0 30 12 0 0 20 0 1 0 99 0 0";
        assertThat(ProcessCpu.parse(stat).ticks()).isEqualTo(42);
    }

    @Test
    void cpuPerCallIsInMicroseconds() {
        assertThat(new ProcessCpu(150).microsPerCall(new ProcessCpu(50), 10_000)).isEqualTo(100.0);
        assertThat(new ProcessCpu(150).microsPerCall(new ProcessCpu(50), 0)).isNaN();
    }

    @Test
    void garbageIsAnError() {
        assertThatThrownBy(() -> ProcessCpu.parse("nonsense")).isInstanceOf(IOException.class);
    }

    @Test
    void thisProcessHasUsedSomeCpu() throws IOException {
        assertThat(ProcessCpu.of(ProcessHandle.current().pid()).ticks()).isPositive();
    }
}

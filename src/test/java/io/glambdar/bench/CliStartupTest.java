package io.glambdar.bench;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

class CliStartupTest {

    private static CliStartup.Result of(double... millis) {
        return new CliStartup.Result(java.util.Arrays.stream(millis).mapToObj(m -> new CliStartup.Run(m, m / 2))
                .toList(), "1.00, 0.50, 0.25");
    }

    @Test
    void medianAndP90AreValuesMeasured() {
        CliStartup.Result result = of(300, 310, 320, 330, 340, 350, 360, 370, 380, 900);

        assertThat(result.p50()).isEqualTo(340);
        assertThat(result.p90()).isEqualTo(380);
        assertThat(result.met()).isTrue();
    }

    @Test
    void theTargetIsTheMedianAtMostHalfASecond() {
        assertThat(of(499, 500, 501).met()).isTrue();
        assertThat(of(500, 501, 502).met()).isFalse();
    }

    @Test
    void theSectionAndTheTargetRow() {
        CliStartup.Result result = of(320, 300, 340);
        StringBuilder md = new StringBuilder();

        result.appendTo(md);
        result.appendTarget(md);

        assertThat(md.toString()).contains("## Command-line client start", "3 runs",
                "p50 320 ms, p90 340 ms (min 300, max 340)", "CPU time (user and system, of the launcher and its JVM) p50 160 ms",
                "load average before the runs 1.00, 0.50, 0.25")
                .endsWith("| `./glambdar ls` ≤ 0.5 s wall | p50 320 ms, p90 340 ms (3 runs); CPU p50 160 ms | yes |\n");
    }
}

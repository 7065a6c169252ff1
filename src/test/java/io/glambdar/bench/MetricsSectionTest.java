package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsSectionTest {

    private static AlternatingRounds.Round round(long ok, long rejected, long errors, double cpu) {
        return new AlternatingRounds.Round(new Throughput("r", 32, 1, ok, rejected, errors), cpu);
    }

    /** The cost of metrics: the rounds with them against those without. */
    private static MetricsSection.Cost cost(List<AlternatingRounds.Round> on, List<AlternatingRounds.Round> off) {
        return new MetricsSection.Cost(new AlternatingRounds.Comparison(off, on), 500);
    }

    private static Latencies ms(Double... values) {
        return Latencies.of("ms", List.of(values));
    }

    @Test
    void costIsTheLossOfTheMedianThroughputAndMustBeAtMostThreePercentWithoutErrors() {
        MetricsSection.Cost cost = cost(
                List.of(round(980, 0, 0, 103), round(900, 0, 0, 110), round(2000, 0, 0, 100)),
                List.of(round(1000, 0, 0, 100), round(500, 0, 0, 90), round(3000, 0, 0, 120)));

        assertThat(cost.rounds().testedMedian()).isEqualTo(980);
        assertThat(cost.rounds().baseMedian()).isEqualTo(1000);
        assertThat(cost.rounds().cost()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(cost.rounds().cpuCost()).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(cost.met()).isTrue();
        assertThat(cost(List.of(round(969, 0, 0, 1)), List.of(round(1000, 0, 0, 1))).met())
                .isFalse();
        assertThat(cost(List.of(round(1000, 1, 0, 1)), List.of(round(1000, 0, 0, 1))).met())
                .as("a 429 fails it").isFalse();
        assertThat(cost(List.of(round(1000, 0, 0, 1)), List.of(round(1000, 0, 1, 1))).met())
                .as("an error fails it").isFalse();
    }

    @Test
    void aScrapeTargetIsOnTheMedianAndTheSlowest() {
        assertThat(new MetricsSection.Scrapes(500, ms(10.0, 20.0, 50.0), 1, 1, 5).met()).isTrue();
        assertThat(new MetricsSection.Scrapes(500, ms(10.0, 20.0, 51.0), 1, 1, 5).met()).isFalse();
        assertThat(new MetricsSection.Scrapes(500, ms(), 1, 1, 5).met()).isFalse();
    }

    @Test
    void underLoadEveryScrapeMustSucceedDuringInvocationsAndDeploys() {
        Throughput load = new Throughput("l", 32, 5, 1000, 3, 0);
        assertThat(new MetricsSection.UnderLoad(ms(5.0), 0, load, 2).met()).isTrue();
        assertThat(new MetricsSection.UnderLoad(ms(5.0), 1, load, 2).met()).isFalse();
        assertThat(new MetricsSection.UnderLoad(ms(5.0), 0, load, 0).met()).as("no deploy ran").isFalse();
        assertThat(new MetricsSection.UnderLoad(ms(), 0, load, 2).met()).isFalse();
        assertThat(new MetricsSection.UnderLoad(ms(5.0), 0, new Throughput("l", 32, 5, 1000, 0, 1), 2).met())
                .isFalse();
    }

    @Test
    void aScrapeIsWellFormedWhenEveryLineIsACommentOrASample() {
        String good = """
                # HELP glambdar_invocations_total Invocations
                # TYPE glambdar_invocations_total counter
                glambdar_invocations_total{function="f",outcome="ok"} 1.0
                glambdar_async_queue_depth 0.0
                """;
        assertThat(MetricsBench.wellFormed(good)).isTrue();
        assertThat(MetricsBench.wellFormed(good + "{\"error\": \"x\"}\n")).isFalse();
        assertThat(MetricsBench.wellFormed("glambdar_async_queue_depth 0.0\n")).as("no invocations counter")
                .isFalse();
    }
}

package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RssSamplesTest {

    @Test
    void medianAndPeakAreSampledValues() {
        RssSamples samples = RssSamples.of(List.of(210.0, 190.0, 250.0, 200.0));

        assertThat(samples.count()).isEqualTo(4);
        assertThat(samples.medianMib()).isEqualTo(200.0); // nearest rank: the lower middle of an even count
        assertThat(samples.peakMib()).isEqualTo(250.0);
    }

    @Test
    void noSamplesHaveNoFigures() {
        RssSamples samples = RssSamples.of(List.of());

        assertThat(samples.medianMib()).isNaN();
        assertThat(samples.peakMib()).isNaN();
    }
}

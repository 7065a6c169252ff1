package io.glambdar.bench;

import java.util.Arrays;
import java.util.List;

/** A sample of latencies in milliseconds, with the percentiles the report shows. */
record Latencies(String label, double[] millis) {

    static Latencies of(String label, List<Double> samples) {
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Latencies(label, sorted);
    }

    /** Nearest-rank percentile, {@code p} in [0, 100]. */
    double percentile(double p) {
        return Percentiles.nearestRank(millis, p);
    }

    double p50() {
        return percentile(50);
    }

    double p90() {
        return percentile(90);
    }

    double p99() {
        return percentile(99);
    }

    int count() {
        return millis.length;
    }

    double[] sorted() {
        return Arrays.copyOf(millis, millis.length);
    }
}

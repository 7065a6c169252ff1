package io.glambdar.bench;

import java.util.List;

/** Resident memory of a process sampled over a run, in MiB. */
record RssSamples(double[] sortedMib) {

    static RssSamples of(List<Double> mib) {
        return new RssSamples(mib.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }

    int count() {
        return sortedMib.length;
    }

    double medianMib() {
        return Percentiles.nearestRank(sortedMib, 50);
    }

    double peakMib() {
        return Percentiles.nearestRank(sortedMib, 100);
    }
}

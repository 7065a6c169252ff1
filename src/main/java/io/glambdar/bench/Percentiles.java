package io.glambdar.bench;

/** Nearest-rank percentiles of a sorted sample: every figure in the report is one of the values measured. */
final class Percentiles {

    private Percentiles() {
    }

    /** {@code p} in [0, 100]; NaN for an empty sample. */
    static double nearestRank(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}

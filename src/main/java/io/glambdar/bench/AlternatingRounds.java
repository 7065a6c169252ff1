package io.glambdar.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Two servers against each other: reuse-mode throughput at c=32 of each, both up at once and warmed up alike, then
 * measured in alternating rounds (the base first in odd rounds, the tested one first in even ones), so neither gains
 * from running later, and a noisy minute of the machine hits both alike. The figure is the ratio of the medians. What
 * keyed mode costs ({@link KeyedModeComparison}) and what metrics cost ({@link MetricsBench}) are both measured so.
 */
final class AlternatingRounds {

    static final int CONCURRENCY = 32;
    /** Each round lasts this share of the bench's {@code --seconds}. */
    static final double ROUND_SHARE = 1.0 / 3;

    /** One round of one server: its throughput, and the server's CPU time per invocation through it. */
    record Round(Throughput throughput, double cpuMicrosPerCall) {
    }

    /**
     * One of the two servers.
     *
     * @param label       its rounds' label
     * @param connections a new connection for its callers (presenting a key, perhaps)
     */
    record Side(String label, ServerProcess server, Supplier<HttpConnection> connections) {
    }

    /** The rounds of the base server and of the tested one, in the order they ran. */
    record Comparison(List<Round> base, List<Round> tested) {

        double baseMedian() {
            return median(base.stream().map(r -> r.throughput().perSecond()).toList());
        }

        double testedMedian() {
            return median(tested.stream().map(r -> r.throughput().perSecond()).toList());
        }

        /** What the tested server costs, as a share of the base's throughput (0.03 = 3 % fewer invocations/s). */
        double cost() {
            return 1 - testedMedian() / baseMedian();
        }

        double baseCpuMedian() {
            return median(base.stream().map(Round::cpuMicrosPerCall).toList());
        }

        double testedCpuMedian() {
            return median(tested.stream().map(Round::cpuMicrosPerCall).toList());
        }

        /** What the tested server costs in CPU time per invocation (0.03 = 3 % more). */
        double cpuCost() {
            return testedCpuMedian() / baseCpuMedian() - 1;
        }

        /** 429s and errors of both. */
        long errors() {
            return base.stream().mapToLong(r -> r.throughput().errors() + r.throughput().rejected()).sum()
                    + tested.stream().mapToLong(r -> r.throughput().errors() + r.throughput().rejected()).sum();
        }

        /** The cost at most {@code target}, and no 429 or error. */
        boolean met(double target) {
            return cost() <= target && errors() == 0;
        }
    }

    private AlternatingRounds() {
    }

    /**
     * Warms both up (3000 sequential calls each, then {@code seconds} at c=32 each, twice), then measures
     * {@code rounds} rounds of each.
     *
     * @param part names the bench's part in its progress lines
     */
    static Comparison run(String part, Side base, Side tested, int rounds, double seconds)
            throws IOException, InterruptedException {
        LoadRunner.CallFactory baseCallers = () -> BenchCommand.call(base.connections().get());
        LoadRunner.CallFactory testedCallers = () -> BenchCommand.call(tested.connections().get());
        BenchCommand.progress(part + ": warming up both (3000 calls, then " + BenchCommand.fmt(seconds)
                + " s at c=" + CONCURRENCY + ", twice)");
        BenchCommand.sequentialCalls(base.connections().get(), 3000);
        BenchCommand.sequentialCalls(tested.connections().get(), 3000);
        for (int i = 0; i < 2; i++) {
            LoadRunner.forDuration("warm-up", CONCURRENCY, seconds, baseCallers);
            LoadRunner.forDuration("warm-up", CONCURRENCY, seconds, testedCallers);
        }
        List<Round> baseRounds = new ArrayList<>();
        List<Round> testedRounds = new ArrayList<>();
        double roundSeconds = seconds * ROUND_SHARE;
        for (int round = 1; round <= rounds; round++) {
            BenchCommand.progress(part + ": round " + round + " of " + rounds);
            boolean baseFirst = round % 2 == 1;
            if (baseFirst) {
                baseRounds.add(round(base, baseCallers, roundSeconds));
            }
            testedRounds.add(round(tested, testedCallers, roundSeconds));
            if (!baseFirst) {
                baseRounds.add(round(base, baseCallers, roundSeconds));
            }
        }
        return new Comparison(baseRounds, testedRounds);
    }

    private static Round round(Side side, LoadRunner.CallFactory callers, double seconds)
            throws IOException, InterruptedException {
        ProcessCpu before = ProcessCpu.of(side.server().pid());
        Throughput throughput = LoadRunner.forDuration(side.label(), CONCURRENCY, seconds, callers);
        ProcessCpu after = ProcessCpu.of(side.server().pid());
        return new Round(throughput, after.microsPerCall(before, throughput.ok()));
    }

    /** The median, NaN when there are no values. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}

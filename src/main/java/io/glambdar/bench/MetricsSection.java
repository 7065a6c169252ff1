package io.glambdar.bench;

import java.util.List;
import java.util.Locale;

/**
 * The report's figures for {@code GET /metrics}: what counting costs the reuse throughput, how long a scrape of many
 * functions takes, and scrapes during load and deploys.
 */
record MetricsSection(Cost cost, Scrapes many, UnderLoad underLoad) {

    /** Metrics may cost at most this share of reuse throughput at c=32. */
    static final double COST_TARGET = 0.03;
    /** A scrape with {@link MetricsBench#FUNCTIONS} functions takes at most this long. */
    static final double SCRAPE_TARGET_MS = 50;

    /**
     * The rounds of the server without metrics (the base) and of the one with them, in the order they ran.
     *
     * @param countingNanos CPU time to count one invocation (the listener alone, JIT-compiled), ns
     */
    record Cost(AlternatingRounds.Comparison rounds, double countingNanos) {

        boolean met() {
            return rounds.met(COST_TARGET);
        }
    }

    /**
     * Sequential scrapes of a server.
     *
     * @param functions functions deployed, each invoked at least once
     * @param millis    each scrape's time, from the request to the last byte of the answer
     * @param bytes     the last scrape's size
     * @param samples   its sample lines (series)
     * @param cpuMillis the server's CPU time (user and system) per scrape, through them
     */
    record Scrapes(int functions, Latencies millis, long bytes, long samples, double cpuMillis) {

        boolean met() {
            return millis.count() > 0 && millis.p50() <= SCRAPE_TARGET_MS
                    && millis.percentile(100) <= SCRAPE_TARGET_MS;
        }
    }

    /**
     * Scrapes while callers invoke a function and deploys run.
     *
     * @param scrapes  every scrape that answered 200 with text that parses
     * @param failed   scrapes that did not
     * @param load     the invocations meanwhile
     * @param deploys  deploys made meanwhile (each a 201)
     */
    record UnderLoad(Latencies scrapes, int failed, Throughput load, int deploys) {

        boolean met() {
            return failed == 0 && scrapes.count() > 0 && deploys > 0 && load.errors() == 0;
        }
    }

    void appendTo(StringBuilder md) {
        AlternatingRounds.Comparison rounds = cost.rounds();
        List<AlternatingRounds.Round> on = rounds.tested();
        List<AlternatingRounds.Round> off = rounds.base();
        md.append("\n## Metrics\n\n");
        md.append(String.format(Locale.ROOT, "**Cost.** Reuse-mode hello at c=%d, a server with metrics (the"
                        + " default) against one started with `--no-metrics`, both up at once and warmed up alike, in"
                        + " %d rounds of %s s each, alternating which goes first. Invocations/s (429s, errors), and"
                        + " the server's CPU time per invocation; compare the medians.%n%n", AlternatingRounds.CONCURRENCY,
                on.size(), BenchCommand.fmt(on.getFirst().throughput().seconds())));
        md.append("| round | metrics on | metrics off | on: CPU per call | off: CPU per call |\n"
                + "|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < on.size(); i++) {
            Throughput onThroughput = on.get(i).throughput();
            Throughput offThroughput = off.get(i).throughput();
            md.append(String.format(Locale.ROOT, "| %d | %.0f/s (%d, %d) | %.0f/s (%d, %d) | %.0f µs | %.0f µs |%n",
                    i + 1, onThroughput.perSecond(), onThroughput.rejected(), onThroughput.errors(),
                    offThroughput.perSecond(), offThroughput.rejected(), offThroughput.errors(),
                    on.get(i).cpuMicrosPerCall(), off.get(i).cpuMicrosPerCall()));
        }
        md.append(String.format(Locale.ROOT, "| median | %.0f/s (%+.1f %%) | %.0f/s | %.0f µs (%+.1f %%) | %.0f µs |%n",
                rounds.testedMedian(), -100 * rounds.cost(), rounds.baseMedian(), rounds.testedCpuMedian(),
                100 * rounds.cpuCost(), rounds.baseCpuMedian()));
        md.append(String.format(Locale.ROOT, "%nUnderneath the rounds' swings: counting one invocation (the listener"
                        + " alone, over %d functions, JIT-compiled, in the bench's JVM) takes %.0f ns of CPU, %.2f %%"
                        + " of the server's CPU time per invocation without metrics.%n", MetricsBench.FUNCTIONS,
                cost.countingNanos(), 100 * cost.countingNanos() / 1000 / rounds.baseCpuMedian()));
        md.append(String.format(Locale.ROOT, "%n**Scrape of %d functions.** Each deployed and invoked once (so each"
                        + " has its counters and one duration histogram), 50 scrapes to warm up the JIT, then %d"
                        + " scrapes one after the other: p50 %.1f ms, p90 %.1f ms, max %.1f ms, from the request to the last byte; %d samples, %.0f"
                        + " KiB. The server's CPU time per scrape, less what it spends idle: %.1f ms (wall times"
                        + " swing with the machine's load; this does less).%n", many.functions(), many.millis().count(), many.millis().p50(),
                many.millis().p90(), many.millis().percentile(100), many.samples(), many.bytes() / 1024.0,
                many.cpuMillis()));
        Throughput load = underLoad.load();
        md.append(String.format(Locale.ROOT, "%n**Under load.** A scrape every %d ms while %d callers invoke"
                        + " the reuse-mode hello (%.0f/s, %d 429s, %d errors) and %d deploys run: %d scrapes answered"
                        + " 200 and parsed, %d did not; p50 %.1f ms, max %.1f ms.%n", MetricsBench.SCRAPE_INTERVAL_MS,
                load.concurrency(),
                load.perSecond(), load.rejected(), load.errors(), underLoad.deploys(), underLoad.scrapes().count(),
                underLoad.failed(), underLoad.scrapes().p50(), underLoad.scrapes().percentile(100)));
    }

    void appendTargets(StringBuilder md) {
        AlternatingRounds.Comparison rounds = cost.rounds();
        Report.target(md, "metrics cost ≤ 3 % of reuse throughput at c=" + AlternatingRounds.CONCURRENCY,
                String.format(Locale.ROOT, "%.1f %% (%.0f/s vs %.0f/s), %d errors; server CPU per invocation"
                                + " %+.1f %% (%.0f µs vs %.0f µs)", 100 * rounds.cost(), rounds.testedMedian(),
                        rounds.baseMedian(), rounds.errors(), 100 * rounds.cpuCost(), rounds.testedCpuMedian(),
                        rounds.baseCpuMedian()) + String.format(Locale.ROOT, "; counting one invocation %.0f ns",
                        cost.countingNanos()), cost.met());
        Report.target(md, "a scrape of /metrics with " + many.functions() + " functions ≤ 50 ms",
                String.format(Locale.ROOT, "p50 %.1f ms, max %.1f ms (%d scrapes); server CPU %.1f ms per scrape",
                        many.millis().p50(), many.millis().percentile(100), many.millis().count(), many.cpuMillis()),
                many.met());
        Report.target(md, "scrapes during " + underLoad.load().concurrency() + " concurrent invocations and"
                        + " deploys succeed", String.format(Locale.ROOT, "%d of %d", underLoad.scrapes().count(),
                        underLoad.scrapes().count() + underLoad.failed()), underLoad.met());
    }
}

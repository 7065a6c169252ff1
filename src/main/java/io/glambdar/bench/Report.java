package io.glambdar.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** The benchmark's figures, as ratios against raw Docker measured in the same run, in Markdown and two charts. */
final class Report {

    private final String engine;
    private final String image;
    private final double seconds;
    private final String startedAt = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .substring(0, 16).replace('T', ' ') + " UTC";
    private Latencies baseline;
    private final List<Latencies> latencies = new ArrayList<>();
    private final Map<Integer, Throughput> raw = new LinkedHashMap<>();
    private final Map<String, Map<Integer, Throughput>> modes = new LinkedHashMap<>();
    private final MemorySection memory = new MemorySection();
    private AlternatingRounds.Comparison keyed;
    private AsyncSection async;
    private MetricsSection metrics;
    private CliStartup.Result cliStartup;

    Report(String engine, String image, double seconds) {
        this.engine = engine;
        this.image = image;
        this.seconds = seconds;
    }

    void baseline(Latencies engineApi) {
        baseline = engineApi;
        latencies.add(engineApi);
    }

    void latency(Latencies sample) {
        latencies.add(sample);
    }

    void rawThroughput(Throughput throughput) {
        raw.put(throughput.concurrency(), throughput);
    }

    void throughput(String mode, Throughput throughput) {
        modes.computeIfAbsent(mode, m -> new LinkedHashMap<>()).put(throughput.concurrency(), throughput);
    }

    void keyed(AlternatingRounds.Comparison result) {
        keyed = result;
    }

    void async(AsyncSection section) {
        async = section;
    }

    void metrics(MetricsSection section) {
        metrics = section;
    }

    void cliStartup(CliStartup.Result result) {
        cliStartup = result;
    }

    /** Synchronous reuse-mode invocations/s at c=32, from the reuse throughput run. */
    double syncReuse32() {
        return modes.get("reuse").get(32).perSecond();
    }

    MemorySection memory() {
        return memory;
    }

    private Latencies latencyOf(String prefix) {
        return latencies.stream().filter(l -> l.label().startsWith(prefix)).findFirst().orElseThrow();
    }

    void write(Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Glambdar benchmark\n\n");
        md.append("Measured ").append(startedAt).append(" with `./glambdar bench` on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs; ").append(engine)
                .append("; image `").append(image).append("`; Java ").append(Runtime.version().feature())
                .append(". Every figure is end to end over HTTP for the seed's hello function, except the raw Docker"
                        + " baseline, which runs `node -e 0` in the same image. Ratios are against the baseline"
                        + " measured in this same run (these machines are noisy; compare ratios, not milliseconds)."
                        + "\n\n");

        md.append("## Sequential latency\n\n");
        md.append("| | samples | p50 ms | p90 ms | p99 ms | p50 vs raw Engine API |\n|---|---:|---:|---:|---:|---:|\n");
        for (Latencies l : latencies) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %s |%n", l.label(), l.count(),
                    l.p50(), l.p90(), l.p99(), ratio(l.p50() / baseline.p50())));
        }

        md.append("\n## Throughput\n\nClosed loop: N callers, each sending its next request when its last one"
                + " returned, for ").append(BenchCommand.fmt(seconds)).append(" s per cell. Invocations/s (429s,"
                + " errors); the ratio is against raw `docker run --rm` at the same concurrency.\n\n");
        md.append("| |");
        for (int c : BenchCommand.CONCURRENCY) {
            md.append(" c=").append(c).append(" |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(BenchCommand.CONCURRENCY.length)).append('\n');
        md.append("| raw docker run --rm |");
        for (int c : BenchCommand.CONCURRENCY) {
            Throughput t = raw.get(c);
            md.append(String.format(Locale.ROOT, " %.1f/s (%d errors) |", t.perSecond(), t.errors()));
        }
        md.append('\n');
        modes.forEach((mode, byConcurrency) -> {
            md.append("| ").append(byConcurrency.values().iterator().next().label()).append(" |");
            for (int c : BenchCommand.CONCURRENCY) {
                Throughput t = byConcurrency.get(c);
                md.append(String.format(Locale.ROOT, " %.1f/s (%d, %d) %s |", t.perSecond(), t.rejected(),
                        t.errors(), ratio(t.perSecond() / raw.get(c).perSecond())));
            }
            md.append('\n');
        });

        memory.appendTo(md);
        KeyedModeComparison.appendTo(keyed, md);
        async.appendTo(md);
        metrics.appendTo(md);
        cliStartup.appendTo(md);

        md.append("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        Latencies warm = latencyOf("warm");
        Latencies reuse = latencyOf("reuse");
        Latencies cold = latencyOf("cold");
        target(md, "warm single-use p50 ≤ 5 ms", ms(warm.p50()), warm.p50() <= 5);
        target(md, "warm single-use p99 ≤ 25 ms", ms(warm.p99()), warm.p99() <= 25);
        target(md, "reuse p50 ≤ 1 ms", ms(reuse.p50()), reuse.p50() <= 1);
        Throughput reuse32 = modes.get("reuse").get(32);
        target(md, "reuse ≥ 3,000 invocations/s at c=32 with zero errors",
                String.format(Locale.ROOT, "%.0f/s, %d errors, %d 429s", reuse32.perSecond(), reuse32.errors(),
                        reuse32.rejected()),
                reuse32.perSecond() >= 3000 && reuse32.errors() == 0 && reuse32.rejected() == 0);
        for (int c : new int[]{8, 32}) {
            Throughput warmLoad = modes.get("warm").get(c);
            double ratio = warmLoad.perSecond() / raw.get(c).perSecond();
            target(md, "single-use throughput ≥ raw docker run --rm at c=" + c,
                    String.format(Locale.ROOT, "%.1f/s vs %.1f/s (%s), %d errors", warmLoad.perSecond(),
                            raw.get(c).perSecond(), ratio(ratio), warmLoad.errors()),
                    ratio >= 1.0 && warmLoad.errors() == 0);
        }
        double coldRatio = cold.p50() / baseline.p50();
        target(md, "cold p50 ≤ 1.1× raw Engine API create→reply", ratio(coldRatio), coldRatio <= 1.1);
        target(md, "keyed mode costs ≤ 5 % of reuse throughput at c=" + AlternatingRounds.CONCURRENCY
                        + " against open mode", String.format(Locale.ROOT, "%.1f %% (%.0f/s vs %.0f/s), %d errors;"
                                + " server CPU per invocation %+.1f %% (%.0f µs vs %.0f µs)", 100 * keyed.cost(),
                        keyed.testedMedian(), keyed.baseMedian(), keyed.errors(), 100 * keyed.cpuCost(),
                        keyed.testedCpuMedian(), keyed.baseCpuMedian()),
                keyed.met(0.05));
        async.appendTargets(md);
        metrics.appendTargets(md);
        cliStartup.appendTarget(md);

        md.append("\n![latency distributions](latency.png)\n\n![throughput](throughput.png)\n");
        Files.writeString(dir.resolve("report.md"), md.toString());
        latencyChart(dir.resolve("latency.png"));
        throughputChart(dir.resolve("throughput.png"));
    }

    /**
     * {@code --only part} (async, metrics or cli): a report of that section alone, as {@code <part>-report.md}.
     *
     * @return the report's file
     */
    Path writeOnly(Path dir, String part) throws IOException {
        StringBuilder md = new StringBuilder("# Glambdar benchmark: ").append(switch (part) {
            case "async" -> "asynchronous invocations and schedules";
            case "metrics" -> "metrics";
            default -> "the command-line client's start";
        }).append("\n\n");
        md.append("Measured ").append(startedAt).append(" with `./glambdar bench --only ").append(part).append("` on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs; ");
        if (part.equals("cli")) { // its section has its own load average, read just before its runs
            md.append("Java ").append(Runtime.version().feature()).append(".\n");
        } else {
            md.append(engine).append("; image `").append(image).append("`; Java ").append(Runtime.version().feature())
                    .append("; load average at the start ").append(loadAverage()).append(".\n");
        }
        Consumer<StringBuilder> targets = switch (part) {
            case "async" -> {
                async.appendTo(md);
                yield async::appendTargets;
            }
            case "metrics" -> {
                metrics.appendTo(md);
                yield metrics::appendTargets;
            }
            default -> {
                cliStartup.appendTo(md);
                yield cliStartup::appendTarget;
            }
        };
        md.append("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        targets.accept(md);
        Path file = dir.resolve(part + "-report.md");
        Files.writeString(file, md.toString());
        return file;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg: how busy the shared machine was. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void target(StringBuilder md, String what, String measured, boolean met) {
        md.append("| ").append(what).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
                .append(" |\n");
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, ratio < 0.1 ? "%.3f×" : "%.2f×", ratio);
    }

    /** Cumulative distribution of each sample, on a log scale: 1 ms and 500 ms paths on one picture. */
    private void latencyChart(Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("Latency distribution (hello function; raw Docker runs node -e 0)")
                .xAxisTitle("latency, ms (log scale)").yAxisTitle("fraction of calls at or below").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0);
        for (Latencies l : latencies) {
            double[] x = l.sorted();
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = (i + 1) / (double) x.length;
            }
            chart.addSeries(l.label(), x, y).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private void throughputChart(Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600)
                .title("Throughput, closed loop (hello function; log scales)")
                .xAxisTitle("concurrent callers").yAxisTitle("completed invocations per second").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        double[] xs = Arrays.stream(BenchCommand.CONCURRENCY).asDoubleStream().toArray();
        chart.addSeries("raw docker run --rm", xs, perSecond(raw));
        modes.forEach((mode, byConcurrency) ->
                chart.addSeries(byConcurrency.values().iterator().next().label(), xs, perSecond(byConcurrency)));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Per concurrency level; a cell with nothing completed is drawn at 0.01/s (log scales cannot show zero). */
    private static double[] perSecond(Map<Integer, Throughput> byConcurrency) {
        return Arrays.stream(BenchCommand.CONCURRENCY)
                .mapToDouble(c -> Math.max(0.01, byConcurrency.get(c).perSecond())).toArray();
    }
}

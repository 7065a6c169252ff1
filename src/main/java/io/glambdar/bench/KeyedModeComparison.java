package io.glambdar.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What keyed mode costs: reuse-mode throughput at c=32 of a server in open mode (the base) against one in keyed mode
 * (each call presenting an invoke key, checked against its hash), measured in {@link AlternatingRounds}.
 */
final class KeyedModeComparison {

    /**
     * Many short rounds rather than a few long ones: a neighbour's burst on this shared machine hits both alike. Twenty,
     * as for metrics: with ten, the medians of two servers whose CPU per call was the same differed by 10 %.
     */
    static final int ROUNDS = 20;

    private KeyedModeComparison() {
    }

    static void appendTo(AlternatingRounds.Comparison result, StringBuilder md) {
        List<AlternatingRounds.Round> open = result.base();
        List<AlternatingRounds.Round> keyed = result.tested();
        md.append("\n## Keyed mode\n\nReuse-mode hello function at c=").append(AlternatingRounds.CONCURRENCY)
                .append(", a server in open mode against one in keyed mode (every call presents an invoke key),"
                        + " both up at once and warmed up alike, in ").append(ROUNDS).append(" rounds of ")
                .append(BenchCommand.fmt(open.getFirst().throughput().seconds()))
                .append(" s each, alternating which goes first.\n\n");
        md.append("Invocations/s (429s, errors), and the server's CPU time (user and system, from"
                + " `/proc/<pid>/stat`) per invocation. Both swing from round to round on this shared machine;"
                + " compare the medians.\n\n");
        md.append("| round | open mode | keyed mode | open: CPU per call | keyed: CPU per call |\n"
                + "|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < open.size(); i++) {
            Throughput o = open.get(i).throughput();
            Throughput k = keyed.get(i).throughput();
            md.append(String.format(Locale.ROOT,
                    "| %d | %.0f/s (%d, %d) | %.0f/s (%d, %d) | %.0f µs | %.0f µs |%n", i + 1, o.perSecond(),
                    o.rejected(), o.errors(), k.perSecond(), k.rejected(), k.errors(),
                    open.get(i).cpuMicrosPerCall(), keyed.get(i).cpuMicrosPerCall()));
        }
        md.append(String.format(Locale.ROOT,
                "| median | %.0f/s | %.0f/s (%+.1f %%) | %.0f µs | %.0f µs (%+.1f %%) |%n", result.baseMedian(),
                result.testedMedian(), -100 * result.cost(), result.baseCpuMedian(), result.testedCpuMedian(),
                100 * result.cpuCost()));
    }

    static AlternatingRounds.Comparison run(Path work, double seconds) throws IOException, InterruptedException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String adminKey = HexFormat.of().formatHex(random);
        BenchCommand.progress("keyed mode: starting a server in open mode and one in keyed mode, both --reuse");
        try (ServerProcess open = ServerProcess.start(work.resolve("open"), work.resolve("open-server.log"),
                List.of("--reuse"));
             ServerProcess keyed = ServerProcess.start(work.resolve("keyed"), work.resolve("keyed-server.log"),
                     List.of("--reuse"), adminKey)) {
            ServerApi openApi = open.api();
            ServerApi keyedApi = keyed.api();
            openApi.deploy("hello", BenchCommand.HELLO, null);
            keyedApi.deploy("hello", BenchCommand.HELLO, null);
            String invokeKey = keyedApi.createInvokeKey("hello");
            return AlternatingRounds.run("keyed mode",
                    new AlternatingRounds.Side("open mode", open, openApi::connection),
                    new AlternatingRounds.Side("keyed mode", keyed, () -> keyedApi.connection(invokeKey)),
                    ROUNDS, seconds);
        }
    }
}

package io.glambdar.bench;

import java.util.List;
import java.util.Locale;

/** The report's figures for asynchronous invocations and schedules, with their targets. */
record AsyncSection(Accepting accepting, IdleQueue idle, Drain drain, Schedules schedules) {

    static final double ACCEPT_TARGET_PER_SECOND = 1000;
    static final double IDLE_TARGET_P50_MS = 20;
    static final double DRAIN_TARGET_RATIO = 0.70;
    static final double SCHEDULE_TARGET_MS = 1000;

    /**
     * {@code POST /async} in a closed loop.
     *
     * @param replies  each 202's latency, ms
     * @param accepted 202s answered
     * @param ran      how many of the accepted jobs are known to have run, from the function's {@code invokeCount}
     *                 once the queue was empty; -1 if it could not be read
     * @param asyncConcurrency the server's async concurrency, as it logged it; -1 if it did not
     */
    record Accepting(Throughput throughput, Latencies replies, long accepted, long ran, int asyncConcurrency) {

        boolean met() {
            return throughput.perSecond() >= ACCEPT_TARGET_PER_SECOND && throughput.errors() == 0
                    && throughput.rejected() == 0 && ran == accepted;
        }
    }

    /**
     * Async calls one at a time to an idle queue.
     *
     * @param toStart       the function's {@code Date.now()} at entry minus the client's clock when the 202 arrived, ms
     * @param createdToStarted the record's {@code startedAt} minus its {@code createdAt}, ms (the server's view)
     */
    record IdleQueue(Latencies toStart, Latencies createdToStarted) {

        boolean met() {
            return toStart.count() > 0 && toStart.p50() <= IDLE_TARGET_P50_MS;
        }
    }

    /**
     * A backlog drained by a warm server.
     *
     * @param backlog        jobs queued when the slots were released
     * @param all            every job of the backlog: the figure the target compares
     * @param steady         the same without the first {@link DrainRate#excluded()} to start
     * @param secondHalf     the same without the first half to start
     * @param failed         jobs that did not succeed
     * @param repeated       jobs with more than one attempt
     * @param syncReference  synchronous reuse-mode invocations/s at the same concurrency, which the target compares
     * @param fromReuseRun   whether that is the bench's own reuse throughput run (else {@code adjacent})
     * @param adjacent       the same, measured on the drain's server right after the drain
     * @param adjacentSeconds for how long
     * @param cpuPerJob      the server's CPU time per job, µs, through the second half of the drain
     * @param cpuPerSyncCall the same per invocation through the run of {@code adjacent}
     * @param warmUp         the first drain of the same backlog on the same server, through which the JIT compiled
     *                       the drain's path: shown, not compared
     * @param warmUpFailed   its jobs that did not succeed
     */
    record Drain(int concurrency, long backlog, DrainRate all, DrainRate steady, DrainRate secondHalf, long failed,
                 long repeated, double syncReference, boolean fromReuseRun, double adjacent,
                 double adjacentSeconds, double cpuPerJob, double cpuPerSyncCall, DrainRate warmUp,
                 long warmUpFailed) {

        double ratio() {
            return all.perSecond() / syncReference;
        }

        boolean met() {
            return ratio() >= DRAIN_TARGET_RATIO && failed == 0 && warmUpFailed == 0;
        }
    }

    /**
     * An {@code @every 1s} schedule observed for a while.
     *
     * @param skipped           the schedule's {@code skipped} count from {@code GET /schedules}; -1 if absent
     * @param anchoredOnDeploy  whether the first due time came from the deploy's timing (else from the first firing)
     */
    record Schedules(String cron, ScheduleLateness.Result lateness, long skipped, boolean anchoredOnDeploy) {

        boolean met() {
            return lateness.matched() > 0 && lateness.missing().isEmpty() && lateness.extra() == 0 && skipped <= 0
                    && lateness.created().percentile(100) < SCHEDULE_TARGET_MS
                    && lateness.started().count() == lateness.matched()
                    && lateness.started().percentile(100) < SCHEDULE_TARGET_MS;
        }

        /** "none missing", or which due times had no firing within their period, counted from 1; and extra ones. */
        String missingText() {
            String extra = lateness.extra() == 0 ? "" : ", " + lateness.extra() + " extra firings";
            if (lateness.missing().isEmpty()) {
                return "none missing" + extra;
            }
            List<String> numbers = lateness.missing().stream().map(i -> "#" + (i + 1)).toList();
            return lateness.missing().size() + " missing (" + String.join(", ", numbers)
                    + (lateness.missing().getFirst() == 0 && anchoredOnDeploy
                    ? "; #1 is the first whole second after the deploy's 201" : "") + ")" + extra;
        }
    }

    void appendTo(StringBuilder md) {
        md.append("\n## Asynchronous invocations and schedules\n\n");
        Throughput t = accepting.throughput();
        md.append(String.format(Locale.ROOT, "**Accepting.** `POST /async/hello` (reuse-mode hello) in a closed loop"
                        + " at c=%d for %s s, on a server with the default `GLAMBDAR_ASYNC_CONCURRENCY` (%s here):"
                        + " the jobs run meanwhile. Each 202 is answered once the job is committed (SQLite in WAL mode,"
                        + " `synchronous=NORMAL`: in the WAL before the 202, which survives a crash or `kill -9` of the"
                        + " server, fsynced at checkpoints; concurrent accepts share one commit). %.0f accepted/s"
                        + " (%d 429s, %d errors); the 202's latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms. Of %d"
                        + " accepted jobs, %s ran (the function's `invokeCount`, once the queue was empty).%n%n",
                t.concurrency(), BenchCommand.fmt(t.seconds()), accepting.asyncConcurrency() < 0 ? "unknown"
                        : Integer.toString(accepting.asyncConcurrency()), t.perSecond(), t.rejected(), t.errors(),
                accepting.replies().p50(), accepting.replies().p90(), accepting.replies().p99(),
                accepting.accepted(), accepting.ran() < 0 ? "an unknown number" : Long.toString(accepting.ran())));

        md.append(String.format(Locale.ROOT, "**Idle queue.** %d async calls of a warm reuse-mode function that returns"
                        + " `Date.now()` on entry, one at a time (each polled to its end with `GET /invocations/:id`,"
                        + " then a random 0–50 ms pause), to an otherwise idle server. From the 202 reaching the client"
                        + " to the function starting (the host's and the container's clocks are one clock; ms"
                        + " resolution): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, min %.0f ms, max %.0f ms. The"
                        + " server's own view, `startedAt − createdAt` of the records: p50 %.0f ms, p99 %.0f ms.%n%n",
                idle.toStart().count(), idle.toStart().p50(), idle.toStart().p90(), idle.toStart().p99(),
                idle.toStart().percentile(0), idle.toStart().percentile(100), idle.createdToStarted().p50(),
                idle.createdToStarted().p99()));

        md.append(String.format(Locale.ROOT, "**Drain.** A server with `GLAMBDAR_ASYNC_CONCURRENCY=%d` first ran"
                        + " " + AsyncBench.ASYNC_WARM_UP + " jobs of the reuse-mode hello (its asynchronous path warmed"
                        + " up, as the synchronous one is). Then, twice, it had its slots"
                        + " held by jobs that sleep until a given time, so that none of the backlog could start while"
                        + " it warmed up (3,000 calls, as every measured server) and accepted %d jobs of the reuse-mode"
                        + " hello; then the holders ended and the backlog drained. The first drain is the drain path's"
                        + " warm-up: it lasts about as long as the JIT takes to compile what a drain runs and the"
                        + " warm-up jobs did not (claims of many jobs, jobs waiting in the engine, ends recorded in"
                        + " large batches), on one of this machine's two cores: %d jobs in %.2f s, %.0f jobs/s (%d did"
                        + " not succeed). The second is measured. From the records' `startedAt` and"
                        + " `finishedAt`: all %d jobs in %.2f s, **%.0f jobs/s**, the figure the target compares"
                        + " (without the first %d to start: %.0f jobs/s; the second half alone, %d jobs: %.0f jobs/s)."
                        + " %d did not succeed; %d ran more than once. Synchronous reuse at c=%d: %s; ratio %.0f %%."
                        + " The server's CPU time (user and system) per job through the drain's second half: %.0f µs"
                        + " (%.2f cores busy); per synchronous invocation on the same server right after: %.0f µs"
                        + " (%.2f cores busy).%n%n",
                drain.concurrency(), drain.backlog(), drain.warmUp().jobs(), drain.warmUp().seconds(),
                drain.warmUp().perSecond(), drain.warmUpFailed(), drain.all().jobs(), drain.all().seconds(),
                drain.all().perSecond(), drain.steady().excluded(), drain.steady().perSecond(),
                drain.secondHalf().jobs(), drain.secondHalf().perSecond(), drain.failed(), drain.repeated(),
                drain.concurrency(),
                drain.fromReuseRun() ? String.format(Locale.ROOT, "%.0f/s in this bench's reuse throughput run"
                        + " (on the drain's server right after the drain, for %s s: %.0f/s, %.0f %%)",
                        drain.syncReference(), BenchCommand.fmt(drain.adjacentSeconds()), drain.adjacent(),
                        100 * drain.all().perSecond() / drain.adjacent())
                        : String.format(Locale.ROOT, "%.0f/s, measured on the drain's server right after the drain"
                        + " for %s s", drain.syncReference(), BenchCommand.fmt(drain.adjacentSeconds())),
                100 * drain.ratio(), drain.cpuPerJob(), drain.cpuPerJob() * drain.secondHalf().perSecond() / 1e6,
                drain.cpuPerSyncCall(), drain.cpuPerSyncCall() * drain.adjacent() / 1e6));

        ScheduleLateness.Result l = schedules.lateness();
        md.append(String.format(Locale.ROOT, "**Schedules.** A reuse-mode function with `\"schedules\": [{\"cron\":"
                        + " \"%s\"}]`, warmed by one synchronous call just after its deploy, observed for %d due"
                        + " times (the first %s). Each firing is matched with the latest due time at or before it; a"
                        + " due time without a firing within its second (none, or only one more than a second late) is"
                        + " missing; a firing before the first due time or a second one within a second is extra."
                        + " Job created: min %.0f ms, p50 %.0f ms, max %.0f ms after its"
                        + " time; function started: p50 %.0f ms, max %.0f ms. Due times: %s; firings skipped (as"
                        + " `GET /schedules` counts them): %s.%n",
                schedules.cron(), l.expected(), schedules.anchoredOnDeploy()
                        ? "the first whole second after the deploy" : "taken from the first firing, as the deploy"
                        + " spanned a whole second", l.created().percentile(0), l.created().p50(),
                l.created().percentile(100), l.started().p50(), l.started().percentile(100),
                schedules.missingText(), schedules.skipped() < 0 ? "unknown" : Long.toString(schedules.skipped())));
    }

    /** The rows of the report's targets table. */
    void appendTargets(StringBuilder md) {
        Throughput t = accepting.throughput();
        Report.target(md, "≥ 1,000 `POST /async`/s at c=" + t.concurrency() + ", each job committed before its 202",
                String.format(Locale.ROOT, "%.0f/s, %d errors, %d 429s; 202 p50 %.2f ms, p99 %.2f ms; %s of %d"
                                + " accepted ran", t.perSecond(), t.errors(), t.rejected(), accepting.replies().p50(),
                        accepting.replies().p99(), accepting.ran() < 0 ? "?" : Long.toString(accepting.ran()),
                        accepting.accepted()), accepting.met());
        Report.target(md, "idle queue: 202 → function start p50 ≤ 20 ms",
                String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms (%d calls)", idle.toStart().p50(),
                        idle.toStart().p99(), idle.toStart().count()), idle.met());
        Report.target(md, "drain: " + drain.backlog() + " queued jobs at ≥ 70 % of sync reuse throughput at c="
                        + drain.concurrency(),
                String.format(Locale.ROOT, "%.0f jobs/s vs %.0f/s (%.0f %%; second half %.0f jobs/s), %d not"
                                + " succeeded", drain.all().perSecond(), drain.syncReference(), 100 * drain.ratio(),
                        drain.secondHalf().perSecond(), drain.failed()), drain.met());
        ScheduleLateness.Result l = schedules.lateness();
        Report.target(md, "schedules fire within 1 s of their time",
                String.format(Locale.ROOT, "%d due times of `%s`: created max %.0f ms late, function started max"
                                + " %.0f ms late; %s, %s skipped", l.expected(), schedules.cron(),
                        l.created().percentile(100), l.started().percentile(100), schedules.missingText(),
                        schedules.skipped() < 0 ? "?" : Long.toString(schedules.skipped())), schedules.met());
    }
}

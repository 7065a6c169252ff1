package io.glambdar.bench;

import java.util.Comparator;
import java.util.List;

/**
 * How fast a backlog of jobs ran, from their records: jobs per second from the start of the first counted attempt to
 * the end of the last one. The first {@code excluded} jobs to start may be left out (those that paid for starting
 * containers), then the span runs from the start of the first job counted.
 *
 * @param jobs     jobs counted
 * @param seconds  from the first counted start to the last end
 */
record DrainRate(int jobs, int excluded, double seconds) {

    /** When one job's (last) attempt started and ended, epoch ms. */
    record Span(long startedAtMillis, long finishedAtMillis) {
    }

    static DrainRate of(List<Span> spans, int excluded) {
        List<Span> sorted = spans.stream().sorted(Comparator.comparingLong(Span::startedAtMillis)).toList();
        if (sorted.size() <= excluded) {
            return new DrainRate(0, excluded, 0);
        }
        long from = sorted.get(excluded).startedAtMillis();
        long to = sorted.stream().skip(excluded).mapToLong(Span::finishedAtMillis).max().orElseThrow();
        return new DrainRate(sorted.size() - excluded, excluded, (to - from) / 1000.0);
    }

    /** NaN when no job was counted or they took no measurable time. */
    double perSecond() {
        return jobs == 0 || seconds <= 0 ? Double.NaN : jobs / seconds;
    }
}

package io.glambdar.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples a process's resident memory at a fixed interval until stopped: what it holds through a run, which its
 * high-water mark alone does not tell (that includes every warm-up before).
 */
final class RssSampler implements AutoCloseable {

    static final Duration INTERVAL = Duration.ofMillis(200);

    private final long pid;
    private final List<Double> mib = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("rss-sampler").factory());

    private RssSampler(long pid) {
        this.pid = pid;
    }

    static RssSampler start(long pid) {
        RssSampler sampler = new RssSampler(pid);
        sampler.timer.scheduleAtFixedRate(sampler::sample, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    private void sample() {
        try {
            double rss = ProcessMemory.of(pid).rssMib();
            synchronized (mib) {
                mib.add(rss);
            }
        } catch (IOException e) {
            // the process has exited: there is nothing more to sample, and the run will say why
        }
    }

    /** Stops sampling and returns what was sampled. */
    RssSamples stop() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(10, TimeUnit.SECONDS);
        synchronized (mib) {
            return RssSamples.of(mib);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

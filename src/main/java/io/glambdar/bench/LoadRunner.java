package io.glambdar.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** Runs calls in a closed loop: {@code concurrency} callers, each starting its next call when the last one ended. */
final class LoadRunner {

    enum Outcome { OK, REJECTED, ERROR }

    /** One caller's call; each caller gets its own (e.g. its own connection). */
    interface Call {
        Outcome call() throws Exception;
    }

    interface CallFactory {
        Call newCaller() throws Exception;
    }

    private LoadRunner() {
    }

    static Throughput forDuration(String label, int concurrency, double seconds, Call shared)
            throws InterruptedException {
        return forDuration(label, concurrency, seconds, () -> shared);
    }

    static Throughput forDuration(String label, int concurrency, double seconds, CallFactory callers)
            throws InterruptedException {
        LongAdder ok = new LongAdder();
        LongAdder rejected = new LongAdder();
        LongAdder errors = new LongAdder();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                pool.execute(() -> {
                    Call call;
                    try {
                        call = callers.newCaller();
                    } catch (Exception e) {
                        errors.increment();
                        return;
                    }
                    while (System.nanoTime() < end) {
                        Outcome outcome;
                        try {
                            outcome = call.call();
                        } catch (Exception e) {
                            outcome = Outcome.ERROR;
                        }
                        switch (outcome) {
                            case OK -> ok.increment();
                            case REJECTED -> rejected.increment();
                            case ERROR -> errors.increment();
                        }
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.MINUTES);
        }
        double elapsed = (System.nanoTime() - start) / 1e9; // includes the calls still running at the end
        return new Throughput(label, concurrency, elapsed, ok.sum(), rejected.sum(), errors.sum());
    }
}

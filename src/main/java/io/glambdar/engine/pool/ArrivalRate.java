package io.glambdar.engine.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Recent invocations per second of one function: an exponentially weighted average over ticks, so a burst raises it
 * at once and it decays over some seconds when calls stop.
 */
final class ArrivalRate {

    private static final double WEIGHT = 0.4;

    private final AtomicLong sinceTick = new AtomicLong();
    private volatile double perSecond;

    void record() {
        sinceTick.incrementAndGet();
    }

    /** Folds the arrivals since the last tick into the average; called by one thread, about once a second. */
    void tick(double elapsedSeconds) {
        if (elapsedSeconds <= 0) {
            return;
        }
        double recent = sinceTick.getAndSet(0) / elapsedSeconds;
        // Rise at once, decay gradually: being short of warm containers costs a cold start, having spares little.
        perSecond = recent > perSecond ? recent : perSecond + WEIGHT * (recent - perSecond);
    }

    double perSecond() {
        return perSecond;
    }

    /**
     * Warm containers to keep for single-use invocations: enough to cover the arrivals expected while replacements
     * start (twice, for bursts), at least one while the function is in use, at most {@code max}.
     */
    static int warmTarget(double perSecond, double startSeconds, int max) {
        int needed = (int) Math.ceil(perSecond * startSeconds * 2);
        return Math.max(1, Math.min(max, needed));
    }
}

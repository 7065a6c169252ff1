package io.glambdar.engine.pool;

/**
 * How long a container takes to start lately, on the slow side: a slower start raises the estimate at once, faster
 * ones lower it gradually. Warm pools are sized from it, and a pool sized for the typical start runs dry whenever the
 * machine is busy, which is when starts are slow. Read and written under the pool's lock.
 */
final class StartDuration {

    private static final double WEIGHT = 0.2;

    private double seconds;

    StartDuration(double initialSeconds) {
        this.seconds = initialSeconds;
    }

    void record(double tookSeconds) {
        seconds = tookSeconds > seconds ? tookSeconds : seconds + WEIGHT * (tookSeconds - seconds);
    }

    double seconds() {
        return seconds;
    }
}

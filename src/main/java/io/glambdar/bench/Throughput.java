package io.glambdar.bench;

/**
 * Completed calls over a fixed time at a fixed number of concurrent callers.
 *
 * @param ok         calls that returned the expected result
 * @param rejected   calls refused with 429 (admission control)
 * @param errors     anything else: wrong status, wrong body, I/O failure
 */
record Throughput(String label, int concurrency, double seconds, long ok, long rejected, long errors) {

    double perSecond() {
        return ok / seconds;
    }
}

package io.glambdar.store.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * The callback of a job that asked for one ({@code X-Glambdar-Callback-Url}).
 *
 * @param attempts how many times the record was POSTed so far
 * @param nextAt   when it is due next; null before the job ends and once done
 * @param done     delivered, or given up on after the last retry
 */
public record JobCallback(String url, int attempts, Instant nextAt, boolean done) {

    public JobCallback {
        Objects.requireNonNull(url, "url");
    }
}

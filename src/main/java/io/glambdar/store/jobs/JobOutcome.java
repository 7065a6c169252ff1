package io.glambdar.store.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * How a job's last attempt ended, for {@link JobRepository#complete}.
 *
 * @param status     {@link JobStatus#SUCCEEDED} or {@link JobStatus#FAILED}
 * @param version    the version the attempt ran on; null when it ran on none
 * @param result     the function's response; null when it gave none
 * @param error      null on success
 * @param logs       what the function printed in this attempt; may be null
 * @param report     null when there is none
 */
public record JobOutcome(JobStatus status, Integer version, JobResult result, JobError error, String logs, JobReport report,
                         Instant finishedAt) {

    public JobOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (status != JobStatus.SUCCEEDED && status != JobStatus.FAILED) {
            throw new IllegalArgumentException("an attempt ends succeeded or failed, not " + status.dbName());
        }
    }

    public static JobOutcome succeeded(Integer version, JobResult result, String logs, JobReport report,
                                       Instant finishedAt) {
        return new JobOutcome(JobStatus.SUCCEEDED, version, result, null, logs, report, finishedAt);
    }

    public static JobOutcome failed(Integer version, JobError error, String logs, JobReport report,
                                    Instant finishedAt) {
        return new JobOutcome(JobStatus.FAILED, version, null, Objects.requireNonNull(error, "error"), logs, report,
                finishedAt);
    }
}

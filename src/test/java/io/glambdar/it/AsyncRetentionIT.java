package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.glambdar.app.AsyncOptions;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC: records are kept {@code GLAMBDAR_ASYNC_RETENTION_HOURS} (fractions allowed). With a retention of 2 s, an ended
 * job's record is gone after a restart (the server tidies at start, then every second for so short a retention),
 * while a job still queued is kept and runs.
 */
@ExtendWith(DockerRequired.class)
class AsyncRetentionIT {

    @Test
    void endedRecordsGoAfterTheRetentionQueuedJobsStay() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glret-");
        AsyncOptions briefly = new AsyncOptions(1, Duration.ofSeconds(2), AsyncOptions.DEFAULTS.callbackTimeout());
        try {
            String ended;
            String waiting;
            try (Harness first = Harness.startIn(dir, c -> c.withAsync(briefly))) {
                first.deployOk("brief", Zips.of(Map.of("index.js", """
                        exports.handler = async (req) => {
                          if (req.body === 'slow') await new Promise(r => setTimeout(r, 3000));
                          return { body: req.body };
                        };
                        """, "glambdar.json", "{\"reuse\": true}")));
                ended = Jobs.enqueueOk(first, "brief", "quick");
                JsonNode done = Jobs.await(first, ended, Duration.ofSeconds(60), "succeeded");
                String slow = Jobs.enqueueOk(first, "brief", "slow");
                Jobs.await(first, slow, Duration.ofSeconds(60), "running");
                waiting = Jobs.enqueueOk(first, "brief", "queued"); // behind the slow one: one at a time
                assertThat(Jobs.status(first, waiting)).isEqualTo("queued");
                Instant expiry = Instant.parse(done.path("finishedAt").asText()).plusSeconds(2);
                while (Instant.now().isBefore(expiry.plusMillis(200))) {
                    Jobs.pause(100);
                }
                // a clean stop: the slow job finishes, the queued one waits in the store
            }
            try (Harness second = Harness.startIn(dir, c -> c.withAsync(briefly))) {
                Eventually.holds("the ended job's record is deleted", Duration.ofSeconds(30),
                        () -> second.get("/invocations/" + ended).status() == 404);
                JsonNode ran = Jobs.await(second, waiting, Duration.ofSeconds(60), "succeeded");
                assertThat(ran.path("attempts").asInt()).isEqualTo(1);
                assertThat(Jobs.ids(Jobs.list(second, "function=brief"))).doesNotContain(ended).contains(waiting);
            }
        } finally {
            FileTrees.delete(dir);
        }
    }
}

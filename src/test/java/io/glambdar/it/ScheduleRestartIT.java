package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC: runs missed while the server was down are not made up. An {@code @every 1s} schedule fires, the server stops
 * for a few seconds and starts again: after the restart it fires once per due second, from then on, with no burst of
 * the seconds it missed.
 */
@ExtendWith(DockerRequired.class)
class ScheduleRestartIT {

    private static final Duration DOWN = Duration.ofSeconds(4);

    @Test
    void firingsMissedWhileTheServerWasDownAreNotMadeUp() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glsched-");
        try {
            try (Harness first = Harness.startIn(dir, c -> c)) {
                first.deployOk("ticker", Zips.of(Map.of("index.js", "exports.handler = async () => ({ body: 'tick' });",
                        "glambdar.json", "{\"reuse\": true, \"schedules\": [{\"cron\": \"@every 1s\"}]}")));
                Eventually.holds("ticker fired", Duration.ofSeconds(60), () -> !Jobs.list(first, "function=ticker")
                        .isEmpty());
            }
            Instant stopped = Instant.now();
            Thread.sleep(DOWN.toMillis());
            try (Harness second = Harness.startIn(dir, c -> c)) {
                Instant restarted = Instant.now();
                Thread.sleep(3_000);
                List<Instant> after = new ArrayList<>();
                for (JsonNode job : Jobs.list(second, "function=ticker&limit=1000")) {
                    Instant created = Instant.parse(job.path("createdAt").asText());
                    assertThat(created).as("no job was made for the seconds the server was down")
                            .matches(t -> !t.isAfter(stopped) || !t.isBefore(restarted), "created while it was up");
                    if (!created.isBefore(restarted)) {
                        after.add(created);
                    }
                }
                after.sort(null);
                assertThat(after).as("it fires again after the restart").isNotEmpty();
                assertThat(after.size()).as("once per due second since the restart, not the missed ones too")
                        .isLessThanOrEqualTo(5);
                for (int i = 1; i < after.size(); i++) {
                    assertThat(Duration.between(after.get(i - 1), after.get(i)))
                            .as("firings a second apart, no catching up").isGreaterThan(Duration.ofMillis(500));
                }
            }
        } finally {
            FileTrees.delete(dir);
        }
    }
}

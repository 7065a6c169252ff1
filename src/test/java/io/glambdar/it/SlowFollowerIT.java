package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC "Observability": a live-log follower that reads, but slower than a function prints, is dropped rather than
 * slowing invocations, and its stream's last line says so ({@code {"type":"end","reason":"too_slow"}}). (LiveLogsIT
 * has the follower that never reads at all, which cannot take even that line.) Also: a cold start's report.
 */
@ExtendWith(DockerRequired.class)
class SlowFollowerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes the slow follower reads per pause: with the pause, about 400 KB/s, far below what the function prints. */
    private static final int SIP = 16 * 1024;
    private static final long PAUSE_MILLIS = 40;

    @Test
    void aFollowerThatReadsSlowerThanTheFunctionPrintsIsToldItIsTooSlow() throws Exception {
        try (Harness glambdar = Harness.start();
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
             Socket follower = new Socket()) {
            glambdar.deployOk("chatty", Zips.of(Map.of("index.js", """
                    exports.handler = async () => {
                      const line = 'x'.repeat(1000);
                      for (let i = 0; i < 200; i++) console.log(i + ' ' + line);
                      return {};
                    };
                    """, "glambdar.json", "{\"reuse\": true}")));
            follower.setReceiveBufferSize(4096);
            follower.connect(new InetSocketAddress("127.0.0.1", glambdar.server.port()));
            follower.setSoTimeout((int) TimeUnit.SECONDS.toMillis(60));
            // HTTP/1.0: the body is the bare lines until the server closes, with no chunk framing among them.
            follower.getOutputStream().write("GET /logs/chatty?follow=true HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream slow = new SlowStream(follower.getInputStream());
            BufferedReader reader = new BufferedReader(new InputStreamReader(slow, StandardCharsets.UTF_8), SIP);
            assertThat(reader.readLine()).matches("HTTP/1\\.[01] 200 OK");
            while (!reader.readLine().isEmpty()) {
                // the rest of the head
            }

            // 40 invocations, 200 KB of output each: 8 MB for a follower that takes about 400 KB a second.
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("chatty", "{}").status(), callers));
            }
            String last = null;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                last = line;
            }
            assertThat(calls).allSatisfy(call -> assertThat(call.get()).isEqualTo(200));
            assertThat(last).as("the stream's last line").isNotNull();
            assertThat(JSON.readTree(last)).isEqualTo(JSON.readTree("{\"type\":\"end\",\"reason\":\"too_slow\"}"));
        }
    }

    @Test
    void aColdStartsReportSaysSoAndHowLongTheStartTook() {
        try (Harness glambdar = Harness.start(c -> c.withEngine(c.engine().withPooling(false)))) {
            glambdar.deployOk("cold", Zips.of(Zips.HELLO));
            ApiClient.Response response = glambdar.invoke("cold", "{\"name\":\"cold\"}");
            assertThat(response.status()).isEqualTo(200);

            JsonNode record = glambdar.get("/logs/cold/" + response.header("X-Glambdar-Invocation-Id")).json();
            assertThat(record.get("coldStart").asBoolean()).isTrue();
            assertThat(record.get("initDurationMs").asLong()).isPositive()
                    .isLessThanOrEqualTo(record.get("durationMs").asLong());
            assertThat(record.get("outcome").asText()).isEqualTo("ok");
        }
    }

    /** Hands out at most {@link #SIP} bytes per read, after a pause: a client that reads, slowly. */
    private static final class SlowStream extends InputStream {
        private final InputStream in;

        SlowStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            return in.read(buffer, offset, Math.min(length, SIP));
        }
    }
}

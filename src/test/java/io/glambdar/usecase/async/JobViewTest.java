package io.glambdar.usecase.async;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.function.AsyncPolicy;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobCallback;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The record of {@code GET /invocations/:id} (and of callbacks): SPEC's fields in SPEC's order, then the report. */
class JobViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-05-01T12:00:00.250Z");
    private static final Instant STARTED = CREATED.plusSeconds(1);
    private static final Instant FINISHED = CREATED.plusSeconds(3);
    private static final Instant NEXT = CREATED.plusSeconds(60);
    private static final AsyncPolicy POLICY = AsyncPolicy.DEFAULTS;
    private static final JobRequest REQUEST = new JobRequest("POST", "/", "", Map.of(), new byte[0]);
    private static final List<String> SPEC_FIELDS = List.of("invocationId", "function", "version", "status",
            "attempts", "createdAt", "startedAt", "finishedAt", "result", "error", "logs");
    private static final List<String> REPORT_FIELDS = List.of("durationMs", "initDurationMs", "coldStart",
            "maxMemoryBytes", "outcome");

    /** A job as the store gives it back; the test changes what it looks at. */
    private record Draft(Integer version, Integer ranVersion, JobStatus status, int attempts, Instant startedAt,
                         Instant finishedAt, JobResult result, JobError error, String logs, JobReport report) {

        Job job() {
            return new Job("inv-1", "hello", "life-1", version, ranVersion, status, attempts, POLICY, CREATED,
                    CREATED, NEXT, startedAt, finishedAt, null, null, REQUEST, result, error, logs, report,
                    new JobCallback("https://example.com/hook", 0, null, false), "key-1");
        }
    }

    private static Draft queued() {
        return new Draft(null, null, JobStatus.QUEUED, 0, null, null, null, null, null, null);
    }

    private static Draft succeeded(JobResult result) {
        return new Draft(null, 2, JobStatus.SUCCEEDED, 1, STARTED, FINISHED, result, null, "hi\n",
                new JobReport(12, 300, true, 4096L, "ok"));
    }

    private static JobResult result(String contentType, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (contentType != null) {
            headers.put("Content-Type", List.of(contentType));
        }
        return new JobResult(200, headers, body);
    }

    private static JsonNode json(Map<String, Object> view) {
        return JSON.valueToTree(view);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aSucceededJobShowsEveryFieldInOrderWithTheResultAndTheReport() throws Exception {
        Job job = succeeded(new JobResult(201, Map.of("X-Out", List.of("v"), "Set-Cookie", List.of("a=1", "b=2")),
                "{\"ok\":true}".getBytes(StandardCharsets.UTF_8))).job();

        Map<String, Object> view = JobView.of(job);

        assertThat(view.keySet()).containsExactlyElementsOf(concat(SPEC_FIELDS, REPORT_FIELDS));
        JsonNode node = JSON.readTree(JSON.writeValueAsString(view));
        assertThat(fieldNames(node)).as("the order survives serialization")
                .containsExactlyElementsOf(concat(SPEC_FIELDS, REPORT_FIELDS));
        assertThat(node.get("invocationId").asText()).isEqualTo("inv-1");
        assertThat(node.get("function").asText()).isEqualTo("hello");
        assertThat(node.get("version").asInt()).as("the version it ran on").isEqualTo(2);
        assertThat(node.get("status").asText()).isEqualTo("succeeded");
        assertThat(node.get("attempts").asInt()).isEqualTo(1);
        assertThat(node.get("createdAt").asText()).isEqualTo("2026-05-01T12:00:00.250Z");
        assertThat(node.get("startedAt").asText()).isEqualTo("2026-05-01T12:00:01.250Z");
        assertThat(node.get("finishedAt").asText()).isEqualTo("2026-05-01T12:00:03.250Z");
        JsonNode result = node.get("result");
        assertThat(fieldNames(result)).containsExactly("statusCode", "headers", "body", "bodyEncoding");
        assertThat(result.get("statusCode").asInt()).isEqualTo(201);
        assertThat(result.get("headers")).isEqualTo(JSON.readTree(
                "{\"x-out\": \"v\", \"set-cookie\": [\"a=1\", \"b=2\"]}"));
        assertThat(result.get("body").asText()).isEqualTo("{\"ok\":true}");
        assertThat(result.get("bodyEncoding").asText()).isEqualTo("utf8");
        assertThat(node.get("error").isNull()).isTrue();
        assertThat(node.get("logs").asText()).isEqualTo("hi\n");
        assertThat(node.get("durationMs").asLong()).isEqualTo(12);
        assertThat(node.get("initDurationMs").asLong()).isEqualTo(300);
        assertThat(node.get("coldStart").asBoolean()).isTrue();
        assertThat(node.get("maxMemoryBytes").asLong()).isEqualTo(4096);
        assertThat(node.get("outcome").asText()).isEqualTo("ok");
        assertThat(node.toString()).as("nothing of the callback or the idempotency key")
                .doesNotContain("example.com").doesNotContain("key-1").doesNotContain("life-1");
    }

    @Test
    void aQueuedJobHasNextAttemptAtAfterFinishedAtAndNullsWhereNothingHappenedYet() {
        Map<String, Object> view = JobView.of(queued().job());

        List<String> expected = new ArrayList<>(SPEC_FIELDS);
        expected.add(expected.indexOf("finishedAt") + 1, "nextAttemptAt");
        assertThat(view.keySet()).containsExactlyElementsOf(concat(expected, REPORT_FIELDS));
        assertThat(view.get("nextAttemptAt")).isEqualTo("2026-05-01T12:01:00.250Z");
        assertThat(view.get("status")).isEqualTo("queued");
        assertThat(view.get("version")).isNull();
        assertThat(view.get("attempts")).isEqualTo(0);
        assertThat(view.get("startedAt")).isNull();
        assertThat(view.get("finishedAt")).isNull();
        assertThat(view.get("result")).isNull();
        assertThat(view.get("error")).isNull();
        assertThat(view.get("logs")).as("no logs yet: empty, not null").isEqualTo("");
        for (String field : REPORT_FIELDS) {
            assertThat(view).containsEntry(field, null);
        }
    }

    @Test
    void nextAttemptAtIsShownOnlyWhileQueued() {
        for (JobStatus status : JobStatus.values()) {
            Draft q = queued();
            Job job = new Draft(q.version(), q.ranVersion(), status, 1, STARTED, status.isFinished() ? FINISHED : null,
                    null, null, null, null).job();

            assertThat(JobView.of(job).containsKey("nextAttemptAt")).as(status.dbName())
                    .isEqualTo(status == JobStatus.QUEUED);
        }
    }

    @Test
    void versionIsTheOneItRanOnElseTheOneAskedFor() {
        Draft q = queued();

        assertThat(JobView.of(new Draft(3, null, JobStatus.QUEUED, 0, null, null, null, null, null, null).job()))
                .containsEntry("version", 3);
        assertThat(JobView.of(new Draft(3, 3, JobStatus.SUCCEEDED, 1, STARTED, FINISHED, result(null, new byte[0]),
                null, null, null).job())).containsEntry("version", 3);
        assertThat(JobView.of(new Draft(null, 5, JobStatus.FAILED, 3, STARTED, FINISHED, null,
                new JobError("function_error", "boom"), null, null).job())).containsEntry("version", 5);
        assertThat(JobView.of(q.job())).containsEntry("version", null);
    }

    @Test
    void anErrorIsCodeThenMessage() throws Exception {
        Job failed = new Draft(null, 1, JobStatus.FAILED, 3, STARTED, FINISHED, null,
                new JobError("handler_threw", "Error: boom"), "stack\n", new JobReport(5, 0, false, null, "error"))
                .job();

        JsonNode node = json(JobView.of(failed));

        assertThat(fieldNames(node.get("error"))).containsExactly("code", "message");
        assertThat(node.get("error").get("code").asText()).isEqualTo("handler_threw");
        assertThat(node.get("error").get("message").asText()).isEqualTo("Error: boom");
        assertThat(node.get("result").isNull()).isTrue();
        assertThat(node.get("outcome").asText()).isEqualTo("error");
        assertThat(node.get("maxMemoryBytes").isNull()).as("not measured").isTrue();
        assertThat(node.get("coldStart").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "text/html; charset=utf-8", "application/json", "application/problem+json",
            "application/xml", "image/svg+xml", "application/javascript", "application/x-www-form-urlencoded",
            "TEXT/PLAIN", "application/yaml", "application/x-yaml", "text/yaml", "application/openapi+yaml",
            "application/ld+json", "application/x-ndjson", "application/graphql", "application/csv", "text/csv",
            "application/ecmascript", "application/toml", "application/sql", "text/plain; charset=\"UTF-8\"",
            "application/json;charset=utf8", "text/csv; header=present; charset=utf-8"})
    void aTextualTypeWithValidUtf8IsText(String contentType) {
        byte[] body = "héllo ✓".getBytes(StandardCharsets.UTF_8);

        JsonNode result = json(JobView.of(succeeded(result(contentType, body)).job())).get("result");

        assertThat(result.get("bodyEncoding").asText()).isEqualTo("utf8");
        assertThat(result.get("body").asText()).isEqualTo("héllo ✓");
    }

    @Test
    void noContentTypeAndValidUtf8IsText() {
        JsonNode result = json(JobView.of(succeeded(result(null, "plain".getBytes(StandardCharsets.UTF_8))).job()))
                .get("result");

        assertThat(result.get("bodyEncoding").asText()).isEqualTo("utf8");
        assertThat(result.get("body").asText()).isEqualTo("plain");
        assertThat(result.get("headers").isEmpty()).isTrue();
    }

    @Test
    void anEmptyBodyIsEmptyText() {
        JsonNode result = json(JobView.of(succeeded(result("text/plain", new byte[0])).job())).get("result");

        assertThat(result.get("body").asText()).isEmpty();
        assertThat(result.get("bodyEncoding").asText()).isEqualTo("utf8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"image/png", "application/octet-stream", "application/pdf"})
    void aBinaryTypeIsBase64EvenWhenItsBytesAreValidUtf8(String contentType) {
        byte[] body = "looks like text".getBytes(StandardCharsets.UTF_8);

        JsonNode result = json(JobView.of(succeeded(result(contentType, body)).job())).get("result");

        assertThat(result.get("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(result.get("body").asText())).isEqualTo(body);
    }

    /** Bytes that are valid UTF-8 but declared in another charset mean other text there: base64 keeps them. */
    @ParameterizedTest
    @ValueSource(strings = {"text/plain; charset=iso-8859-1", "text/html;charset=windows-1252",
            "application/json; charset=utf-16", "text/plain; charset=no-such-charset", "text/plain; charset=us-ascii"})
    void aBodyDeclaredInAnotherCharsetIsBase64(String contentType) {
        byte[] body = "é".getBytes(StandardCharsets.UTF_8); // "Ã©" in ISO-8859-1, and not ASCII

        JsonNode result = json(JobView.of(succeeded(result(contentType, body)).job())).get("result");

        assertThat(result.get("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(result.get("body").asText())).isEqualTo(body);
    }

    @Test
    void asciiDeclaredAsUsAsciiIsText() {
        byte[] body = "plain".getBytes(StandardCharsets.US_ASCII);

        JsonNode result = json(JobView.of(succeeded(result("text/plain; charset=US-ASCII", body)).job()))
                .get("result");

        assertThat(result.get("bodyEncoding").asText()).isEqualTo("utf8");
        assertThat(result.get("body").asText()).isEqualTo("plain");
    }

    @Test
    void invalidUtf8IsBase64WhateverTheType() {
        byte[] body = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff, (byte) 0xc3, 0x28};
        for (String contentType : new String[]{null, "text/plain", "application/json"}) {
            JsonNode result = json(JobView.of(succeeded(result(contentType, body)).job())).get("result");

            assertThat(result.get("bodyEncoding").asText()).as(String.valueOf(contentType)).isEqualTo("base64");
            assertThat(Base64.getDecoder().decode(result.get("body").asText())).isEqualTo(body);
        }
    }

    @Test
    void theContentTypeIsFoundInAnyCaseOfItsName() {
        JobResult lower = new JobResult(200, Map.of("content-type", List.of("image/png")),
                "x".getBytes(StandardCharsets.UTF_8));

        assertThat(json(JobView.of(succeeded(lower).job())).get("result").get("bodyEncoding").asText())
                .isEqualTo("base64");
    }

    @Test
    void timesAreIsoUtc() {
        Instant odd = Instant.parse("2026-12-31T23:59:59Z");
        Job job = new Job("inv-2", "f", "life", null, null, JobStatus.QUEUED, 0, POLICY, odd, odd, odd, null, null,
                null, null, REQUEST, null, null, null, null, null, null);

        Map<String, Object> view = JobView.of(job);

        assertThat(view.get("createdAt")).isEqualTo("2026-12-31T23:59:59Z");
        assertThat(view.get("nextAttemptAt")).isEqualTo("2026-12-31T23:59:59Z");
        assertThat(Duration.between(Instant.parse((String) view.get("createdAt")), odd)).isZero();
    }
}

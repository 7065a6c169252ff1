package io.glambdar.usecase.async;

import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An asynchronous invocation as {@code GET /invocations/:id} shows it (and as its callback POSTs it): SPEC's fields,
 * then the report of its last attempt. Times are ISO-8601 UTC.
 */
public final class JobView {

    private JobView() {
    }

    public static Map<String, Object> of(Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("invocationId", job.id());
        view.put("function", job.functionName());
        view.put("version", job.ranVersion() != null ? job.ranVersion() : job.version());
        view.put("status", job.status().dbName());
        view.put("attempts", job.attempts());
        view.put("createdAt", time(job.createdAt()));
        view.put("startedAt", time(job.startedAt()));
        view.put("finishedAt", time(job.finishedAt()));
        if (job.status() == JobStatus.QUEUED) {
            view.put("nextAttemptAt", time(job.nextAttemptAt()));
        }
        view.put("result", result(job.result()));
        view.put("error", job.error() == null ? null
                : errorView(job));
        view.put("logs", job.logs() == null ? "" : job.logs());
        JobReport report = job.report();
        view.put("durationMs", report == null ? null : report.durationMs());
        view.put("initDurationMs", report == null ? null : report.initDurationMs());
        view.put("coldStart", report == null ? null : report.coldStart());
        view.put("maxMemoryBytes", report == null ? null : report.maxMemoryBytes());
        view.put("outcome", report == null ? null : report.outcome());
        return view;
    }

    private static Map<String, Object> errorView(Job job) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", job.error().code());
        error.put("message", job.error().message());
        return error;
    }

    private static Map<String, Object> result(JobResult result) {
        if (result == null) {
            return null;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("statusCode", result.statusCode());
        Map<String, Object> headers = new LinkedHashMap<>();
        result.headers().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), values.size() == 1 ? values.getFirst() : List.copyOf(values)));
        view.put("headers", headers);
        String text = isText(result) ? utf8(result.body()) : null;
        view.put("body", text != null ? text : Base64.getEncoder().encodeToString(result.body()));
        view.put("bodyEncoding", text != null ? "utf8" : "base64");
        return view;
    }

    /** Text unless the function said otherwise: no content type, or a textual one (text/*, JSON, XML, …). */
    private static boolean isText(JobResult result) {
        String type = result.headers().entrySet().stream()
                .filter(header -> header.getKey().equalsIgnoreCase("content-type") && !header.getValue().isEmpty())
                .map(header -> header.getValue().getFirst().toLowerCase(Locale.ROOT))
                .findFirst().orElse(null);
        if (type == null) {
            return true;
        }
        String mime = type.split(";", 2)[0].strip();
        return mime.startsWith("text/") || mime.endsWith("json") || mime.endsWith("+json") || mime.endsWith("xml")
                || mime.equals("application/javascript") || mime.equals("application/x-www-form-urlencoded");
    }

    /** The body as text when it is valid UTF-8; null otherwise. */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

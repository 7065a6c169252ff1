package io.glambdar.usecase.async;

import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An asynchronous invocation as {@code GET /invocations/:id} shows it (and as its callback POSTs it): SPEC's fields,
 * then the report of its last attempt. Times are ISO-8601 UTC.
 */
public final class JobView {

    /** Textual media types outside {@code text/*} whose names do not end in json, xml or yaml. */
    private static final Set<String> TEXT_TYPES = Set.of("application/javascript", "application/x-javascript",
            "application/ecmascript", "application/x-www-form-urlencoded", "application/graphql", "application/csv",
            "application/sql", "application/toml", "application/x-sh", "application/x-httpd-php");

    private JobView() {
    }

    /** The record of an ended job (or one whose version is known): what its callback POSTs. */
    public static Map<String, Object> of(Job job) {
        return of(job, unknown -> null);
    }

    /**
     * @param activeVersion the function's active version now (null when unknown): the one a job not yet run, and not
     *                      pinned to a version, will run on, shown for such a job rather than null. Asked only then.
     */
    public static Map<String, Object> of(Job job, Function<Job, Integer> activeVersion) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("invocationId", job.id());
        view.put("function", job.functionName());
        view.put("version", version(job, activeVersion));
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

    /** The version it ran on; else the version it asked for; else, while it waits to run, the active one. */
    private static Integer version(Job job, Function<Job, Integer> activeVersion) {
        if (job.ranVersion() != null) {
            return job.ranVersion();
        }
        if (job.version() != null) {
            return job.version();
        }
        boolean toRun = job.status() == JobStatus.QUEUED || job.status() == JobStatus.RUNNING;
        return toRun ? activeVersion.apply(job) : null;
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
        String text = text(result);
        view.put("body", text != null ? text : Base64.getEncoder().encodeToString(result.body()));
        view.put("bodyEncoding", text != null ? "utf8" : "base64");
        return view;
    }

    /**
     * The body as text, or null when it is to be base64: text unless the function said otherwise (no content type,
     * or a textual one: text/*, JSON, XML, YAML and their +json, +xml, +yaml kinds, JavaScript, forms, GraphQL, CSV,
     * …), in UTF-8 (or its subset US-ASCII) whatever charset it declares, and valid in it. A body declared in another
     * charset is base64 even when its bytes happen to be valid UTF-8: read as UTF-8 it would be other text.
     */
    private static String text(JobResult result) {
        String type = result.headers().entrySet().stream()
                .filter(header -> header.getKey().equalsIgnoreCase("content-type") && !header.getValue().isEmpty())
                .map(header -> header.getValue().getFirst().toLowerCase(Locale.ROOT))
                .findFirst().orElse(null);
        if (type == null) {
            return decode(result.body(), StandardCharsets.UTF_8);
        }
        String[] parts = type.split(";");
        String mime = parts[0].strip();
        if (!(mime.startsWith("text/") || mime.endsWith("json") || mime.endsWith("xml") || mime.endsWith("yaml")
                || TEXT_TYPES.contains(mime))) {
            return null;
        }
        Charset charset = StandardCharsets.UTF_8;
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].strip().equals("charset")) {
                charset = charset(parameter[1].strip().replace("\"", ""));
            }
        }
        return charset == null ? null : decode(result.body(), charset);
    }

    /** UTF-8 or US-ASCII by any of their names; null for any other charset, or a name that is none. */
    private static Charset charset(String name) {
        try {
            Charset charset = Charset.forName(name);
            return charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII) ? charset : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The body as text when it is valid in {@code charset}; null otherwise. */
    private static String decode(byte[] body, Charset charset) {
        try {
            return charset.newDecoder()
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

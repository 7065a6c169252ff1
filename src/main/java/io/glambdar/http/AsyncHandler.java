package io.glambdar.http;

import io.glambdar.http.auth.AccessFilter;
import io.glambdar.http.auth.AccessPolicy;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.usecase.async.AcceptInvocation;
import io.javalin.http.Context;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /async/:name[@N][/sub/path]}: accepts an asynchronous invocation — the request as {@code /invoke} would
 * pass it, stored durably — and answers 202 at once with where to find its record.
 */
final class AsyncHandler {

    static final String ROUTE = "/async/{name}";
    static final String ROUTE_WITH_PATH = "/async/{name}/<sub>";
    static final String PREFIX = "/async/";
    /** SPEC: any body up to 1 MiB. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    static final String CALLBACK_HEADER = "X-Glambdar-Callback-Url";
    static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    static final int MAX_CALLBACK_URL_LENGTH = 2048;
    /** Set by the server on each attempt or firing: a client cannot pretend to be a retry or a schedule. */
    private static final List<String> SERVER_HEADERS = List.of(AcceptInvocation.INVOCATION_ID_HEADER,
            AcceptInvocation.ATTEMPT_HEADER, AcceptInvocation.SCHEDULE_HEADER);

    private final AcceptInvocation accept;
    private final AccessPolicy access;

    AsyncHandler(AcceptInvocation accept, AccessPolicy access) {
        this.accept = accept;
        this.access = access;
    }

    void handle(Context ctx) {
        String reference = AccessFilter.invoked(ctx, ctx.pathParam("name"));
        // Read in full (up to the server's body limit) before refusing: a refusal sent while the client is still
        // writing, on a connection then closed, may reach it as a reset rather than a 413.
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        String callbackUrl = callbackUrl(ctx.header(CALLBACK_HEADER));
        String idempotencyKey = idempotencyKey(ctx.header(IDEMPOTENCY_HEADER));
        Map<String, List<String>> headers = access.withoutCredentials(InvokeHandler.headers(ctx.req()));
        SERVER_HEADERS.forEach(headers::remove);
        JobRequest request = new JobRequest(ctx.req().getMethod(), InvokeHandler.subPath(ctx.path(), PREFIX),
                ctx.queryString() == null ? "" : ctx.queryString(), headers, body);
        AcceptInvocation.Accepted accepted = accept.accept(reference, request, callbackUrl, idempotencyKey);
        String id = accepted.job().id();
        if (!accepted.isNew()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        ctx.header("Location", "/invocations/" + id);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("invocationId", id);
        // A replay answers as the first request was answered (as idempotency keys do elsewhere: the IETF draft,
        // Stripe), whatever the job has become since: its record at Location says that.
        answer.put("status", JobStatus.QUEUED.dbName());
        ctx.status(202).json(answer);
    }

    static RequestRejected tooLarge() {
        return new RequestRejected(413, "request body too large: an asynchronous invocation takes at most "
                + MAX_BODY_BYTES + " bytes (1 MiB); send larger inputs by reference (a URL the function fetches),"
                + " or use POST /invoke");
    }

    /** An absolute http(s) URL with a host, or null when the header is absent. */
    static String callbackUrl(String value) {
        if (value == null) {
            return null;
        }
        String url = value.strip();
        String problem = null;
        if (url.length() > MAX_CALLBACK_URL_LENGTH) {
            problem = "it is longer than " + MAX_CALLBACK_URL_LENGTH + " characters";
        } else {
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    problem = "it must be an http:// or https:// URL";
                } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    problem = "it has no host";
                } else if (uri.getRawUserInfo() != null) {
                    problem = "it must not carry a user name or password";
                }
            } catch (URISyntaxException e) {
                problem = "it is not a valid URL (" + e.getReason() + ")";
            }
        }
        if (problem != null) {
            throw new RequestRejected(400, CALLBACK_HEADER + " " + DeployRejectedException.quote(url) + " cannot be used: "
                    + problem + ", e.g. https://example.com/hooks/glambdar");
        }
        return url;
    }

    static String idempotencyKey(String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
            throw new RequestRejected(400, IDEMPOTENCY_HEADER + " must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH
                    + " characters, got " + value.length());
        }
        return value;
    }
}

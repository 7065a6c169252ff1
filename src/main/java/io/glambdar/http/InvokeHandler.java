package io.glambdar.http;

import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.usecase.InvokeFunction;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code POST /invoke/:name}: the request goes to the function as is, its response comes back as is. */
final class InvokeHandler {

    static final String INVOCATION_ID_HEADER = "X-Glambdar-Invocation-Id";
    static final String VERSION_HEADER = "X-Glambdar-Version";
    /** Framing headers belong to this connection, not to the function's response. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "upgrade", "te", "trailer", "proxy-connection");

    private final InvokeFunction invokeFunction;

    InvokeHandler(InvokeFunction invokeFunction) {
        this.invokeFunction = invokeFunction;
    }

    void handle(Context ctx) {
        String name = ctx.pathParam("name");
        byte[] body = ctx.bodyAsBytes();
        InvocationRequest request = new InvocationRequest(ctx.req().getMethod(), ctx.path(),
                ctx.queryString() == null ? "" : ctx.queryString(), headers(ctx.req()), body);
        InvokeFunction.Invoked invoked = invokeFunction.invoke(name, request);
        InvocationResult result = invoked.result();
        switch (result) {
            case InvocationResult.Completed ok -> respond(ctx, ok);
            case InvocationResult.Failed failed -> fail(ctx, name, failed);
        }
        // Last: the server's own, never the function's.
        ctx.res().setHeader(INVOCATION_ID_HEADER, result.invocationId());
        ctx.res().setHeader(VERSION_HEADER, Integer.toString(invoked.version()));
    }

    static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                    lower -> new ArrayList<>(Collections.list(request.getHeaders(name))));
        }
        return headers;
    }

    private static void respond(Context ctx, InvocationResult.Completed ok) {
        if (ok.statusCode() < 200 || ok.statusCode() > 599) {
            ApiServer.error(ctx, 502, "function returned statusCode " + ok.statusCode()
                    + ", which cannot be the final status of a response; use 200-599");
            return;
        }
        ctx.status(ok.statusCode());
        ok.headers().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                ctx.res().setHeader(name, values.getFirst()); // replaces defaults such as Content-Type
                values.stream().skip(1).forEach(value -> ctx.res().addHeader(name, value));
            }
        });
        boolean bodyless = ok.statusCode() == 204 || ok.statusCode() == 304;
        ctx.result(bodyless ? new byte[0] : ok.body());
    }

    private static void fail(Context ctx, String name, InvocationResult.Failed failed) {
        int status = switch (failed.failure()) {
            case FUNCTION_ERROR -> 502;
            case TIMEOUT -> 504;
            case OVERLOADED -> 429;
            case UNAVAILABLE -> 503;
            case GONE -> 404;
        };
        if (failed.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(failed.retryAfterSeconds()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", failed.failure() == InvocationResult.Failure.GONE ? gone(name) : failed.message());
        body.put("code", failed.code());
        body.put("invocationId", failed.invocationId());
        if (failed.failure() == InvocationResult.Failure.FUNCTION_ERROR
                || failed.failure() == InvocationResult.Failure.TIMEOUT) { // it ran: what it printed is kept
            body.put("logs", "/logs/" + name + "/" + failed.invocationId());
        }
        ctx.status(status).json(body);
    }

    /** The function existed when the request arrived: say what happened to it rather than just "not found". */
    private static String gone(String name) {
        return "function '" + name + "' was deleted (or replaced by a new deploy) while this invocation waited to"
                + " start, so it did not run; see GET /info/" + name + " for what is deployed now, and invoke it again";
    }
}

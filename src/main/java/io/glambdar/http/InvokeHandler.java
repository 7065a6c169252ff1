package io.glambdar.http;

import io.glambdar.engine.InvocationRequest;
import io.glambdar.http.auth.AccessFilter;
import io.glambdar.http.auth.AccessPolicy;
import io.glambdar.engine.InvocationResult;
import io.glambdar.usecase.InvokeFunction;
import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import io.javalin.http.HandlerType;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /invoke/:name} and {@code /invoke/:name/any/sub/path}, with any method: the request goes to the function as
 * is, its response comes back as is.
 */
final class InvokeHandler {

    static final String INVOCATION_ID_HEADER = "X-Glambdar-Invocation-Id";
    static final String VERSION_HEADER = "X-Glambdar-Version";
    /** The routes: the function's name, then any sub-path ({@code <sub>} matches slashes too). */
    static final String ROUTE = "/invoke/{name}";
    static final String ROUTE_WITH_PATH = "/invoke/{name}/<sub>";
    private static final String PREFIX = "/invoke/";
    /**
     * Every method a function can be invoked with: all of Javalin's common HTTP methods. CONNECT names a host, not a
     * path, so it never reaches a function.
     */
    static final List<HandlerType> METHODS = HandlerType.commonHttp().stream()
            .filter(method -> method.isHttpMethod() && !method.equals(HandlerType.CONNECT))
            .toList();
    static final String CSP_HEADER = "Content-Security-Policy";
    /**
     * SPEC "Invocation, widened": a page a function returns runs in an opaque origin, so it cannot drive this API or
     * read what the dashboard keeps, unless the function sets a policy of its own.
     */
    static final String DEFAULT_CSP = "sandbox allow-scripts allow-forms allow-popups allow-downloads";
    /** Framing headers belong to this connection, not to the function's response. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "upgrade", "te", "trailer", "proxy-connection");

    private final InvokeFunction invokeFunction;
    private final AccessPolicy access;

    InvokeHandler(InvokeFunction invokeFunction, AccessPolicy access) {
        this.invokeFunction = invokeFunction;
        this.access = access;
    }

    void handle(Context ctx) {
        // First, so that every answer of this route has it (errors too); a function's own policy replaces it.
        ctx.res().setHeader(CSP_HEADER, DEFAULT_CSP);
        // As is (the use case reads a version suffix), unless only a public version let the caller in.
        String reference = AccessFilter.invoked(ctx, ctx.pathParam("name"));
        byte[] body = ctx.bodyAsBytes();
        InvocationRequest request = new InvocationRequest(ctx.req().getMethod(), subPath(ctx.path()),
                ctx.queryString() == null ? "" : ctx.queryString(), access.withoutCredentials(headers(ctx.req())), body);
        InvokeFunction.Invoked invoked = invokeFunction.invoke(reference, request);
        InvocationResult result = invoked.result();
        switch (result) {
            case InvocationResult.Completed ok -> respond(ctx, ok);
            case InvocationResult.Failed failed -> fail(ctx, invoked.function(), failed);
        }
        // Last: the server's own, never the function's.
        ctx.res().setHeader(INVOCATION_ID_HEADER, result.invocationId());
        ctx.res().setHeader(VERSION_HEADER, Integer.toString(invoked.version()));
    }

    /**
     * The part of the request's path after {@code /invoke/<name>}, as received (percent-encoding kept), or {@code "/"}
     * when there is none.
     */
    static String subPath(String requestPath) {
        return subPath(requestPath, PREFIX);
    }

    /** The part of the request's path after {@code <prefix><name>}, or {@code "/"} when there is none. */
    static String subPath(String requestPath, String prefix) {
        int name = requestPath.indexOf(prefix);
        int slash = name < 0 ? -1 : requestPath.indexOf('/', name + prefix.length());
        return slash < 0 ? "/" : requestPath.substring(slash);
    }

    static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT),
                    lower -> new ArrayList<>(Collections.list(request.getHeaders(name))));
        }
        return headers;
    }

    /**
     * Sets the function's {@code Content-Type} exactly as it wrote it: the servlet layer would rewrite a type it
     * knows ({@code text/html; charset=UTF-8} becomes {@code text/html;charset=utf-8}). It is set through the servlet
     * API first (which replaces the default type and learns the charset), then put as written into the response's own
     * header fields, beneath the servlet layer's view of them (which would rewrite it again).
     */
    private static void sendContentTypeAsIs(Context ctx, String type) {
        ctx.res().setContentType(type);
        HttpFields.Mutable fields = ServletContextResponse.getServletContextResponse(ctx.res()).getHeaders();
        if (fields instanceof HttpFields.Mutable.Wrapper servletView) {
            fields = servletView.getWrapped();
        }
        fields.put(HttpHeader.CONTENT_TYPE, type);
    }

    private static void respond(Context ctx, InvocationResult.Completed ok) {
        ctx.status(ok.statusCode()); // 200 to 599: the ipc layer made any other a bad_return failure
        ok.headers().forEach((name, sent) -> {
            // An empty policy is no policy: it must not switch the sandbox off, so the default stays.
            List<String> values = name.equalsIgnoreCase(CSP_HEADER)
                    ? sent.stream().filter(value -> !value.isBlank()).toList() : sent;
            if (HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) || values.isEmpty()) {
                return;
            }
            if (name.equalsIgnoreCase("Content-Type")) {
                sendContentTypeAsIs(ctx, values.getFirst()); // one type: a second would make the response invalid
                return;
            }
            ctx.res().setHeader(name, values.getFirst());
            values.stream().skip(1).forEach(value -> ctx.res().addHeader(name, value));
        });
        // RFC 9110: 204 and 304 have no content, and a server must not send any with 205 either.
        boolean bodyless = ok.statusCode() == 204 || ok.statusCode() == 205 || ok.statusCode() == 304;
        byte[] body = bodyless ? new byte[0] : ok.body();
        if (body.length == 0 && ok.headers().keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            ctx.res().setContentType(null); // no body and the function named no type: no type to describe it
        }
        ctx.result(body);
    }

    private static void fail(Context ctx, String name, InvocationResult.Failed failed) {
        int status = failed.httpStatus();
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

package io.glambdar.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.glambdar.http.auth.AccessFilter;
import io.glambdar.http.auth.AccessFilter.AccessDeniedException;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AccessPolicy;
import io.glambdar.http.auth.FunctionAccess;
import io.glambdar.http.auth.Route;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.usecase.DeleteFunction;
import io.glambdar.usecase.DeployFunction;
import io.glambdar.usecase.FunctionQueries;
import io.glambdar.usecase.InvokeFunction;
import io.glambdar.usecase.RollbackFunction;
import io.glambdar.usecase.InvokeKeys;
import io.glambdar.usecase.async.AcceptInvocation;
import io.glambdar.usecase.async.AsyncInvocations;
import io.glambdar.usecase.logs.LogHub;
import io.glambdar.usecase.schedule.ScheduleQueries;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.component.Graceful;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The HTTP API of SPEC.md: deploy, invoke, info, delete, versions, asynchronous invocations; plus logs, invoke keys
 * and health. Every error is
 * JSON. Before any route runs, the access policy ({@link AccessPolicy}) decides whether the request may go on.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    /**
     * @param host           address to listen on (null: all)
     * @param port           0 picks a free port
     * @param maxUploadBytes largest zip accepted by /deploy
     * @param maxBodyBytes   largest request body accepted by /invoke
     * @param uploadDir      where uploads are streamed to while they arrive
     * @param stopTimeout    how long a stop waits for the requests in progress to be answered
     * @param access         open or keyed mode
     * @param idleTimeout    how long a connection may be idle before it is closed (a live log's stream excepted: it
     *                       may rightly be quiet for hours)
     */
    public record Settings(String host, int port, long maxUploadBytes, long maxBodyBytes, Path uploadDir,
                           Duration stopTimeout, AccessMode access, Duration idleTimeout) {

        /** Jetty's default idle timeout. */
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

        /** With {@link #DEFAULT_IDLE_TIMEOUT}. */
        public Settings(String host, int port, long maxUploadBytes, long maxBodyBytes, Path uploadDir,
                        Duration stopTimeout, AccessMode access) {
            this(host, port, maxUploadBytes, maxBodyBytes, uploadDir, stopTimeout, access, DEFAULT_IDLE_TIMEOUT);
        }
    }

    /** What the routes do: each route calls one of these. */
    public record UseCases(DeployFunction deploy, InvokeFunction invoke, DeleteFunction delete,
                           RollbackFunction rollback, FunctionQueries queries, InvokeKeys keys,
                           AcceptInvocation acceptAsync, AsyncInvocations asyncInvocations,
                           ScheduleQueries schedules, LogHub logs) {
    }

    /**
     * The most bytes of request line and headers a request may have (Jetty's default, stated so errors can say it):
     * larger requests get a 431 as JSON.
     */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    /**
     * The most bytes of status line and headers a response may have (Jetty's {@code maxResponseHeaderSize}): room for
     * the 64 KiB of headers a function may return (the worker's reply limits refuse more, as a 502 naming them) and the
     * server's own. At Jetty's default of 8 KiB a function's large headers became Jetty's bare 500.
     */
    static final int MAX_RESPONSE_HEADER_BYTES = 96 * 1024;

    /**
     * The buffer Jetty writes a response's headers into first (its {@code responseHeaderSize}, default 8 KiB); only
     * headers that overflow it get one of {@link #MAX_RESPONSE_HEADER_BYTES}. Jetty pools buffers of up to 64 KiB:
     * with 96 KiB here every response allocated and zeroed a new direct buffer, a tenth of the server's CPU in a
     * reuse-mode run.
     */
    static final int RESPONSE_HEADER_BUFFER_BYTES = 8 * 1024;

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** A route as registered with the router: an HTTP method and Javalin's path template. */
    public record RegisteredRoute(String method, String path) {
    }

    private final Javalin app;
    /** Counts the requests in progress, and refuses new ones once stopping. */
    private final GracefulHandler graceful = new GracefulHandler();
    private final Duration stopTimeout;
    private final List<RegisteredRoute> routes = new CopyOnWriteArrayList<>();
    /** The paths whose HEAD route is the twin of their GET route (see {@link GetRoutes}). */
    private final Set<String> headOfGet = ConcurrentHashMap.newKeySet();

    /**
     * @param load    what /health reports besides "ok": containers and invocations right now
     * @param metrics {@code GET /metrics}, or {@link MetricsHandler#off()}
     */
    public ApiServer(UseCases useCases, Settings settings, Supplier<Object> load, MetricsHandler metrics) {
        DeployHandler deploy = new DeployHandler(useCases.deploy(), settings.maxUploadBytes(), settings.uploadDir());
        FunctionQueries queries = useCases.queries();
        InvokeKeys keys = useCases.keys();
        AccessPolicy policy = new AccessPolicy(settings.access(), new FunctionAccess() {
            @Override
            public OptionalInt publicVersion(String reference) {
                return queries.publicVersion(reference);
            }

            @Override
            public InvokeKeys.Verdict checkInvokeKey(String key, String function) {
                return keys.check(key, function);
            }
        });
        InvokeHandler invoke = new InvokeHandler(useCases.invoke(), policy);
        AsyncHandler async = new AsyncHandler(useCases.acceptAsync(), policy);
        InvocationsRoutes invocations = new InvocationsRoutes(useCases.asyncInvocations());
        LogFollowHandler logs = new LogFollowHandler(queries, useCases.logs(), JSON);
        this.stopTimeout = settings.stopTimeout();
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.jsonMapper(new JavalinJackson(JSON, true));
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.jetty.multipartConfig.cacheDirectory(settings.uploadDir().toString());
            config.jetty.multipartConfig.maxFileSize(settings.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(
                    settings.maxUploadBytes() + DeployHandler.MULTIPART_OVERHEAD_BYTES, SizeUnit.BYTES);
            config.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(MAX_HEADER_BYTES);
                http.setResponseHeaderSize(RESPONSE_HEADER_BUFFER_BYTES);
                http.setMaxResponseHeaderSize(MAX_RESPONSE_HEADER_BYTES);
            });
            config.jetty.modifyServer(server -> {
                // On stop: refuse new requests, let those in progress finish (bounded: see close()), then close.
                server.insertHandler(graceful);
                // Requests Jetty refuses itself (headers too large, malformed): JSON too, not an HTML page.
                server.setErrorHandler(new JsonErrorHandler(MAX_HEADER_BYTES));
                // Javalin adds its connector before starting the server: set its idle timeout then.
                server.addEventListener(new LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(LifeCycle event) {
                        for (Connector connector : server.getConnectors()) {
                            if (connector instanceof AbstractConnector jetty) {
                                jetty.setIdleTimeout(settings.idleTimeout().toMillis());
                            }
                        }
                    }
                });
            });

            // The router's own record of every route, as the OpenAPI document's drift test reads it; the HEAD of a
            // GET route is implied by the GET, as OpenAPI has it.
            config.events.handlerAdded(handler -> {
                if (handler.getHttpMethod().isHttpMethod() && !(handler.getHttpMethod().equals(HandlerType.HEAD)
                        && headOfGet.contains(handler.getPath()))) {
                    routes.add(new RegisteredRoute(handler.getHttpMethod().name(), handler.getPath()));
                }
            });
            GetRoutes withHead = new GetRoutes(config, headOfGet);
            withHead.get(OpenApiHandler.ROUTE, new OpenApiHandler()::handle); // needs no key (Route.EXEMPT)
            config.routes.before(new AccessFilter(policy));
            config.routes.before(new BodyLimits(settings.maxUploadBytes(), settings.maxBodyBytes()));
            new DashboardRoutes().register(withHead);

            config.routes.post("/deploy", deploy::deploy);
            config.routes.put("/deploy/{name}", deploy::update);
            withHead.get("/versions/{name}", ctx -> ctx.json(queries.versions(ctx.pathParam("name"))));
            config.routes.post("/rollback/{name}", ctx -> ctx.json(useCases.rollback().rollback(
                    ctx.pathParam("name"), RollbackRequest.version(ctx))));
            for (HandlerType method : InvokeHandler.METHODS) {
                config.routes.addHttpHandler(method, InvokeHandler.ROUTE, invoke::handle);
                config.routes.addHttpHandler(method, InvokeHandler.ROUTE_WITH_PATH, invoke::handle);
            }
            // Every other method token (PROPFIND, PURGE, ...) reaches the function too: the router routes only the
            // methods it was given, so these are invoked ahead of it, once the access policy and the body limits let
            // them through (the before handlers run in the order they were added).
            Handler otherMethods = ctx -> {
                if (!InvokeHandler.METHODS.contains(ctx.method()) && !ctx.method().equals(HandlerType.CONNECT)) {
                    invoke.handle(ctx);
                    ctx.skipRemainingHandlers();
                }
            };
            config.routes.before(InvokeHandler.ROUTE, otherMethods);
            config.routes.before(InvokeHandler.ROUTE_WITH_PATH, otherMethods);
            config.routes.post(AsyncHandler.ROUTE, async::handle);
            config.routes.post(AsyncHandler.ROUTE_WITH_PATH, async::handle);
            withHead.get("/invocations", invocations::list);
            withHead.get("/invocations/{id}", invocations::get);
            config.routes.delete("/invocations/{id}", invocations::cancel);
            config.routes.post("/invocations/{id}/retry", invocations::retry);
            withHead.get("/schedules", ctx -> ctx.json(Map.of("schedules", useCases.schedules().list())));
            withHead.get("/info", ctx -> {
                var functions = queries.list();
                ctx.json(object("count", functions.size(), "functions", functions));
            });
            withHead.get("/info/{name}", ctx -> ctx.json(queries.get(ctx.pathParam("name"))));
            config.routes.delete("/del/{name}", ctx -> {
                useCases.delete().delete(ctx.pathParam("name"));
                noContent(ctx);
            });
            withHead.get("/logs/{name}", logs::handle);
            withHead.get("/logs/{name}/{invocationId}", ctx -> ctx.json(
                    queries.invocation(ctx.pathParam("name"), ctx.pathParam("invocationId"))
                            .orElseThrow(() -> new HttpResponseException(404, "no recent invocation '"
                                    + ctx.pathParam("invocationId") + "' of function '" + ctx.pathParam("name")
                                    + "' (the last 50 invocations of each function are kept)"))));
            config.routes.post("/keys/{name}", ctx -> ctx.status(201).json(keys.create(ctx.pathParam("name"))));
            withHead.get("/keys/{name}", ctx -> {
                var list = keys.list(ctx.pathParam("name"));
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("function", ctx.pathParam("name"));
                body.put("keys", list);
                ctx.json(body);
            });
            config.routes.delete("/keys/{name}/{keyId}", ctx -> {
                keys.revoke(ctx.pathParam("name"), ctx.pathParam("keyId"));
                noContent(ctx);
            });
            // Reveals no function names: it is exempt from keys (see Route.EXEMPT).
            withHead.get("/health", ctx -> ctx.json(object("status", "ok", "load", load.get())));
            withHead.get(MetricsHandler.ROUTE, metrics::handle);

            config.routes.exception(DeployRejectedException.class, (e, ctx) ->
                    error(ctx, switch (e.reason()) {
                        case BAD_REQUEST -> 400;
                        case CONFLICT -> 409;
                        case TOO_LARGE -> 413;
                    }, e.getMessage()));
            config.routes.exception(FunctionNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
            config.routes.exception(VersionNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
            config.routes.exception(InvokeKeys.KeyNotFoundException.class, (e, ctx) -> error(ctx, 404, e.getMessage()));
            config.routes.exception(AccessDeniedException.class, AccessFilter::respond);
            config.routes.exception(RequestRejected.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            config.routes.exception(OversizedBody.Refused.class, (e, ctx) -> {
                if (ctx.path().startsWith(Route.INVOKE_PREFIX)) { // refused before InvokeHandler: sandboxed as it would
                    ctx.header(InvokeHandler.CSP_HEADER, InvokeHandler.DEFAULT_CSP);
                }
                OversizedBody.refuse(ctx, e.getMessage(), e.bodyRequested());
            });
            config.routes.exception(AsyncInvocations.JobNotFoundException.class,
                    (e, ctx) -> error(ctx, 404, e.getMessage()));
            config.routes.exception(AsyncInvocations.JobStateException.class,
                    (e, ctx) -> error(ctx, 409, e.getMessage()));
            config.routes.exception(AsyncInvocations.BadQueryException.class,
                    (e, ctx) -> error(ctx, 400, e.getMessage()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                if (e.getStatus() == 405) {
                    ctx.header("Allow", allow(e));
                }
                error(ctx, e.getStatus(), describe(e, ctx, settings.maxBodyBytes()));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (clientLeft(e)) {
                    // Jetty cannot tell a client that left mid-body from one whose chunked encoding broke off: both
                    // are an early end of the body. The one still there is told so; a success it must never get.
                    log.info("{} {}: the request body ended early: the client closed the connection before it sent"
                            + " the whole request, or its chunked encoding was malformed", ctx.method(), ctx.path());
                    error(ctx, 400, "the request body ended before it was complete: with Content-Length, send that"
                            + " many bytes; with Transfer-Encoding: chunked, each chunk's size must be hexadecimal"
                            + " and match the bytes that follow, and the body must end with a chunk of size 0");
                    return;
                }
                HttpException malformed = malformedRequest(e);
                if (malformed != null) { // a request Jetty could not parse: the client's mistake
                    error(ctx, malformed.getCode(), "the request could not be read: " + malformed.getReason());
                    return;
                }
                String reference = UUID.randomUUID().toString();
                log.error("Request {} {} failed (reference {})", ctx.method(), ctx.path(), reference, e);
                error(ctx, 500, "internal error while handling " + ctx.method() + " " + ctx.path()
                        + "; the server log has the details under reference " + reference);
            });
        });
        app.start();
    }

    public int port() {
        return app.port();
    }

    /** Every HTTP route the server has (filters and error handlers aside), in the order they were added. */
    public List<RegisteredRoute> routes() {
        return List.copyOf(routes);
    }

    /**
     * A JSON object of two fields in this order ({@code Map.of} iterates in an order that changes from one run to the
     * next, and clients and the original's documentation read {@code {"count", "functions"}} in this order).
     */
    static Map<String, Object> object(String first, Object firstValue, String second, Object secondValue) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put(first, firstValue);
        object.put(second, secondValue);
        return object;
    }

    /** 204: no body, so no {@code Content-Type} either (Javalin sets a default one on every response). */
    static void noContent(Context ctx) {
        ctx.status(204);
        ctx.res().setContentType(null);
    }

    /**
     * The {@code Allow} header of a 405 (RFC 9110): the methods the router has for the path, as Javalin found them,
     * with {@code HEAD} wherever there is a {@code GET}.
     */
    static String allow(HttpResponseException e) {
        Set<String> methods = new LinkedHashSet<>();
        e.getDetails().values().forEach(list -> Arrays.stream(list.split(","))
                .map(String::strip).filter(method -> !method.isEmpty()).forEach(methods::add));
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return String.join(", ", methods);
    }

    /** Whether {@code e} is the client going away mid-request (Jetty's end of file while reading the body). */
    /** Jetty's refusal of a request it could not parse (such as broken chunked encoding), if {@code e} is one. */
    static HttpException malformedRequest(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
                return http;
            }
        }
        return null;
    }

    static boolean clientLeft(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException) {
                return true;
            }
        }
        return false;
    }

    static void error(Context ctx, int status, String message) {
        if (status == 413) {
            OversizedBody.refuse(ctx, message);
            return;
        }
        ctx.status(status).json(Map.of("error", message));
    }

    /** Javalin's own refusals (unknown route, body too large, ...) reworded to say what to do. */
    private static String describe(HttpResponseException e, Context ctx, long maxBodyBytes) {
        return switch (e.getStatus()) {
            case 404 -> e.getMessage().startsWith("Endpoint ")
                    ? "no such route: " + ctx.method() + " " + ctx.path()
                    + " (routes: POST /deploy, PUT /deploy/:name, any method on /invoke/:name[@N][/path],"
                    + " GET /info, GET /info/:name, DELETE /del/:name, GET /versions/:name, POST /rollback/:name,"
                    + " GET /logs/:name, POST /keys/:name, GET /keys/:name, DELETE /keys/:name/:keyId,"
                    + " POST /async/:name[@N], GET /invocations, GET /invocations/:id, DELETE /invocations/:id,"
                    + " POST /invocations/:id/retry, GET /schedules, GET /metrics, GET /health, GET / (the"
                    + " dashboard); GET /openapi.json describes them all)"
                    : e.getMessage();
            case 405 -> ctx.method() + " is not allowed on " + ctx.path()
                    + (ctx.path().startsWith("/invoke/") ? "; invoke functions with " + InvokeHandler.METHODS.stream()
                    .map(HandlerType::name).collect(Collectors.joining(", ")) : "");
            case 413 -> ctx.path().startsWith(AsyncHandler.PREFIX) ? AsyncHandler.tooLarge().getMessage()
                    : BodyLimits.tooLargeMessage(maxBodyBytes);
            default -> e.getMessage();
        };
    }

    /**
     * Stops accepting, waits up to the stop timeout for the requests in progress to be answered, then stops: requests
     * still in progress then are cut off (their connections closed), said in one warning, not as a failure.
     */
    @Override
    public void close() {
        Server jetty = app.jettyServer().server();
        try {
            Graceful.shutdown(jetty).get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} requests still in progress {} after the server began to stop were cut off",
                    graceful.getCurrentRequestCount(), stopTimeout);
        } catch (ExecutionException e) {
            log.warn("Stopping the HTTP server gracefully failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop at once
        }
        try {
            jetty.stop(); // no stop timeout of its own: the wait above was it
        } catch (Exception e) {
            log.warn("Error while stopping the HTTP server: {}", e.toString());
        }
    }
}

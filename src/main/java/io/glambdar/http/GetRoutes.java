package io.glambdar.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.Set;

/**
 * Registers a {@code GET} route with its {@code HEAD} (RFC 9110: the same answer without its body): the same handler
 * runs, so a {@code HEAD} carries the headers a {@code GET} would, its {@code Content-Type} included. Without it Javalin
 * answers the {@code HEAD} of a {@code GET} route with a bare 200 of its own, without running the route.
 */
final class GetRoutes {

    private final JavalinConfig config;
    private final Set<String> headOfGet;

    /** @param headOfGet where the paths registered are noted: their {@code HEAD} is implied, not a route of its own */
    GetRoutes(JavalinConfig config, Set<String> headOfGet) {
        this.config = config;
        this.headOfGet = headOfGet;
    }

    void get(String path, Handler handler) {
        headOfGet.add(path);
        config.routes.get(path, handler);
        config.routes.addHttpHandler(HandlerType.HEAD, path, handler);
    }
}

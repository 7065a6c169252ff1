package io.glambdar.http;

import io.glambdar.http.auth.Route;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web dashboard: {@code GET /} serves its page and {@code GET /assets/:file} its scripts and styles, read from the
 * jar ({@code dashboard/} on the classpath). They hold no data, so they need no key (pages of other sites are refused
 * them, as every route: see {@link Route#EXEMPT}); the page fetches everything it shows from the keyed API routes.
 *
 * <p>Every answer carries a strict Content-Security-Policy: scripts and styles only from this server, no inline code,
 * no framing, and Trusted Types required, so the browser itself refuses any HTML built from strings: what the page
 * shows from the server or a function can only ever be text.
 */
final class DashboardRoutes {

    static final String CSP = String.join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
            "trusted-types 'none'");

    private static final String ROOT = "dashboard/";
    /** Asset names: one flat folder, no way up or out of it. */
    private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(js|css|svg)");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    /** A resource's bytes and the tag a browser revalidates its copy with. */
    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    /**
     * Read from the jar once each: they never change while the server runs. Only those found: a name asked for that
     * the jar does not have (anyone may ask, without a key) is not kept.
     */
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    void register(GetRoutes routes) {
        routes.get("/", ctx -> serve(ctx, "index.html"));
        routes.get(Route.ASSETS_PREFIX + "{file}", ctx -> {
            String file = ctx.pathParam("file");
            if (!ASSET_NAME.matcher(file).matches()) {
                throw notFound(file);
            }
            serve(ctx, "assets/" + file);
        });
    }

    private void serve(Context ctx, String path) {
        Asset asset = cache.computeIfAbsent(path, DashboardRoutes::load);
        if (asset == null) {
            throw notFound(path);
        }
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        // Names carry no content hash: the browser may keep a copy but asks whether it is still current.
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", asset.etag());
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.contentType()).result(asset.bytes());
    }

    private static HttpResponseException notFound(String path) {
        return new HttpResponseException(404, "no dashboard asset '" + path.substring(path.lastIndexOf('/') + 1)
                + "' (the dashboard is at GET /)");
    }

    /** The resource, or null when the jar has none of that name. */
    private static Asset load(String path) {
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return null;
            }
            byte[] bytes = in.readAllBytes();
            String extension = path.substring(path.lastIndexOf('.') + 1);
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16)
                    + "\"";
            return new Asset(bytes, CONTENT_TYPES.get(extension), etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

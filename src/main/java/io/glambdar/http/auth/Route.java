package io.glambdar.http.auth;

import java.util.List;

/**
 * What a request is for, as far as access goes: an exempt route (anyone, from anywhere), the invocation of a
 * function, or a control route (everything else, unknown routes included).
 *
 * <p>Classified on the raw request path, which is also what the router matches: a path the two could read
 * differently (an encoded character in the function name, say) only ever makes the policy stricter, since no
 * encoded name is a valid function name.
 */
public sealed interface Route {

    /**
     * Needs no key. {@code anySite}: may also be called from a page of any web site; otherwise a browser request from
     * another site is refused as on every other route.
     */
    record Exempt(boolean anySite) implements Route {
    }

    /**
     * {@code /invoke/:name} and {@code /invoke/:name/...}, any method; {@code POST /async/:name[/...]}, which invokes
     * it later.
     *
     * @param function  the name as it appears in the path, without a version suffix ({@code name@3} → {@code name})
     * @param reference the name with its version suffix, if any: which version's {@code public} setting applies
     */
    record Invocation(String function, String reference) implements Route {
    }

    /** Every other route: deploy, info, delete, logs, keys, and routes that do not exist. */
    record Control() implements Route {
    }

    /**
     * A route (or, with {@code prefix}, every path under it) that needs no key; {@code anySite}: from any web site too.
     * A {@code GET} route also covers {@code HEAD}, which the server answers as the {@code GET} without its body.
     */
    record ExemptRoute(String method, String path, boolean prefix, boolean anySite) {
        boolean matches(String requestMethod, String requestPath) {
            if (!method.equals(requestMethod) && !(method.equals("GET") && requestMethod.equals("HEAD"))) {
                return false;
            }
            if (prefix) {
                return requestPath.startsWith(path);
            }
            // The router ignores one trailing slash: so does this.
            return requestPath.equals(path) || (requestPath.length() == path.length() + 1
                    && requestPath.startsWith(path) && requestPath.endsWith("/"));
        }
    }

    /** Where the dashboard's static assets are served from (its page is {@code GET /}). */
    String ASSETS_PREFIX = "/assets/";

    /**
     * The routes anyone may call without a key: the one list to extend. They must hold no data (health reveals no
     * function names; the API's description, the dashboard's page and its assets are the same for everyone, and the
     * data routes the dashboard calls stay keyed). Only {@code GET /health} may be called from any web site (SPEC
     * "Authentication"): the others refuse pages of other sites like every route, and the dashboard, opened by its
     * address or a bookmark ({@code Sec-Fetch-Site: none}), loads its own assets same-origin.
     */
    List<ExemptRoute> EXEMPT = List.of(
            new ExemptRoute("GET", "/health", false, true),
            new ExemptRoute("GET", "/openapi.json", false, false),
            new ExemptRoute("GET", "/", false, false),
            new ExemptRoute("GET", ASSETS_PREFIX, true, false));

    String INVOKE_PREFIX = "/invoke/";
    String ASYNC_PREFIX = "/async/";

    static Route classify(String method, String path) {
        for (ExemptRoute exempt : EXEMPT) {
            if (exempt.matches(method, path)) {
                return new Exempt(exempt.anySite());
            }
        }
        String prefix = path.startsWith(INVOKE_PREFIX) ? INVOKE_PREFIX
                : path.startsWith(ASYNC_PREFIX) && method.equals("POST") ? ASYNC_PREFIX : null;
        if (prefix != null) {
            int end = path.indexOf('/', prefix.length());
            String segment = path.substring(prefix.length(), end < 0 ? path.length() : end);
            int at = segment.indexOf('@');
            return new Invocation(at < 0 ? segment : segment.substring(0, at), segment);
        }
        return new Control();
    }
}

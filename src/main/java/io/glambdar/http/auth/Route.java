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

    /** Needs no key and may be called from any web site. */
    record Exempt() implements Route {
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

    /** A route (or, with {@code prefix}, every path under it) that {@link #EXEMPT} lets through. */
    record ExemptRoute(String method, String path, boolean prefix) {
        boolean matches(String requestMethod, String requestPath) {
            if (!method.equals(requestMethod)) {
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
     * The routes anyone may call, without a key and from any web site: the one list to extend. They must hold no
     * data (health reveals no function names; the dashboard's page and assets are the same for everyone, and the data
     * routes they call stay keyed).
     */
    List<ExemptRoute> EXEMPT = List.of(
            new ExemptRoute("GET", "/health", false),
            new ExemptRoute("GET", "/openapi.json", false),
            new ExemptRoute("GET", "/", false),
            new ExemptRoute("GET", ASSETS_PREFIX, true));

    String INVOKE_PREFIX = "/invoke/";
    String ASYNC_PREFIX = "/async/";

    static Route classify(String method, String path) {
        for (ExemptRoute exempt : EXEMPT) {
            if (exempt.matches(method, path)) {
                return new Exempt();
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

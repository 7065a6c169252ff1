package io.glambdar.http.auth;

import io.glambdar.usecase.InvokeKeyFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import io.glambdar.http.auth.Decision.Denied;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.usecase.InvokeKeys.Verdict;

/**
 * Who may call what (SPEC "Authentication"), decided from the route and a few headers before any route runs:
 *
 * <ol>
 *   <li>{@code GET /health} and the invocation of a function marked {@code "public": true} are let through: no key,
 *       and from any web site. The other routes of {@link Route#EXEMPT} (the dashboard, the API's description) need
 *       no key but go through the checks of browsers below, as every other route does.</li>
 *   <li>In both modes, a browser request from a page of another site is refused (403): its {@code Origin} is not this
 *       server's own origin, or is {@code null}, or its {@code Sec-Fetch-Site} is {@code cross-site}.</li>
 *   <li>In open mode on a loopback address, a request whose {@code Host} is not a loopback name is refused (403): a
 *       page whose DNS name its owner re-points at 127.0.0.1 (DNS rebinding) is same-origin with itself, so it passes
 *       the Origin check, but it cannot make its browser send {@code Host: localhost}.</li>
 *   <li>Open mode: that is all. Keyed mode: an invocation takes the admin key or an invoke key of its function, in
 *       {@code Authorization: Bearer <key>} or {@code X-Glambdar-Key: <key>}; every other route takes the admin key
 *       in {@code Authorization: Bearer}. Missing or wrong: 401 with {@code WWW-Authenticate}; a live invoke key used
 *       for another function or a control route: 403.</li>
 * </ol>
 */
public final class AccessPolicy {

    static final String AUTHORIZATION = "Authorization";
    static final String GLAMBDAR_KEY = "X-Glambdar-Key";
    private static final String BEARER = "bearer";

    private final AccessMode mode;
    private final FunctionAccess functions;

    public AccessPolicy(AccessMode mode, FunctionAccess functions) {
        this.mode = mode;
        this.functions = functions;
    }

    public AccessMode mode() {
        return mode;
    }

    public Decision decide(AccessRequest request) {
        Route route = Route.classify(request.method(), request.path());
        if (route instanceof Route.Exempt exempt && exempt.anySite()) {
            return Decision.ALLOWED;
        }
        Decision decision = decideByRequest(request, route);
        // Whether the function is public is looked up only for a request about to be refused: the ordinary call, a
        // program without an Origin in open mode or a caller with a good key, never pays for it.
        if (decision instanceof Denied && route instanceof Route.Invocation invocation) {
            OptionalInt publicVersion = functions.publicVersion(invocation.reference());
            if (publicVersion.isPresent()) {
                return new Decision.AllowedAsPublic(publicVersion.getAsInt());
            }
        }
        return decision;
    }

    /** What the request itself allows, before a public function lets anyone in. */
    private Decision decideByRequest(AccessRequest request, Route route) {
        String crossSite = BrowserChecks.crossSite(request.origin(), request.secFetchSite(), request.host());
        if (crossSite != null) {
            return Denied.forbidden("cross-site request refused: " + crossSite + ". Web pages of other sites may not"
                    + " call this API from a browser (only functions marked \"public\": true in their glambdar.json"
                    + " may be invoked from anywhere); call it from a program such as curl, which sends no Origin"
                    + " header, or from a page this server serves");
        }
        if (mode.loopbackHostsOnly() && !BrowserChecks.isLoopbackHost(request.host())) {
            return Denied.forbidden("request refused: its Host header " + DeployRejectedException.quote(request.host())
                    + " is not a loopback name. This server has no admin key and listens on a loopback address, so"
                    + " it answers only requests addressed to localhost, 127.0.0.1 or [::1] (any port): that stops"
                    + " web pages that re-point their own DNS name at this machine (DNS rebinding). Use"
                    + " http://localhost:<port>, or set GLAMBDAR_ADMIN_KEY to require keys instead");
        }
        if (!mode.keyed() || route instanceof Route.Exempt) {
            return Decision.ALLOWED;
        }
        return route instanceof Route.Invocation invocation ? invocation(request, invocation.function())
                : control(request);
    }

    /** Keyed mode, a control route: the admin key, in {@code Authorization: Bearer}. */
    private Decision control(AccessRequest request) {
        String bearer = bearerToken(request.authorization());
        if (bearer != null && mode.adminKey().matches(bearer)) {
            return Decision.ALLOWED;
        }
        String glambdarKey = present(request.glambdarKey());
        if (isInvokeKey(bearer) || isInvokeKey(glambdarKey)) {
            return Denied.forbidden("an invoke key can only invoke the function it was made for; "
                    + request.method() + " " + DeployRejectedException.quote(request.path()) + " needs the admin key, as "
                    + "'Authorization: Bearer <admin key>'");
        }
        if (glambdarKey != null && mode.adminKey().matches(glambdarKey)) {
            return Denied.unauthorized("the admin key is in the wrong header: X-Glambdar-Key is only for"
                    + " invocations; send it as 'Authorization: Bearer <admin key>'");
        }
        if (request.authorization() != null && bearer == null) {
            return Denied.unauthorized(malformedAuthorization() + "; " + adminKeyHowTo());
        }
        if (bearer != null) {
            return Denied.unauthorized("wrong key: the key in the Authorization header is not the admin key; "
                    + adminKeyHowTo());
        }
        if (glambdarKey != null) {
            return Denied.unauthorized("wrong key: the key in X-Glambdar-Key is not the admin key, and only"
                    + " invocations read that header; " + adminKeyHowTo());
        }
        return Denied.unauthorized("this server requires a key: " + adminKeyHowTo());
    }

    /** Keyed mode, an invocation: the admin key or an invoke key of the function, in either header. */
    private Decision invocation(AccessRequest request, String function) {
        String bearer = bearerToken(request.authorization());
        String glambdarKey = present(request.glambdarKey());
        boolean otherFunction = false;
        for (String key : new String[]{bearer, glambdarKey}) {
            if (key == null) {
                continue;
            }
            if (mode.adminKey().matches(key)) {
                return Decision.ALLOWED;
            }
            Verdict verdict = functions.checkInvokeKey(key, function);
            if (verdict == Verdict.VALID) {
                return Decision.ALLOWED;
            }
            otherFunction |= verdict == Verdict.OTHER_FUNCTION;
        }
        if (otherFunction) {
            return Denied.forbidden("this invoke key belongs to another function: a key can only invoke the function"
                    + " it was made for. " + invokeKeyHowTo(function));
        }
        if (request.authorization() != null && bearer == null) {
            return Denied.unauthorized(malformedAuthorization() + "; " + invokeKeyHowTo(function));
        }
        if (bearer != null || glambdarKey != null) {
            return Denied.unauthorized("wrong key: it is neither the admin key nor a live invoke key of "
                    + DeployRejectedException.quote(function) + " (it may have been revoked, or made before the function was"
                    + " deleted and deployed again). " + invokeKeyHowTo(function));
        }
        return Denied.unauthorized("invoking " + DeployRejectedException.quote(function) + " needs a key. "
                + invokeKeyHowTo(function));
    }

    /**
     * The headers of a request as its function may see them: without Glambdar's credentials, which the function's code
     * (untrusted) must never read — {@code X-Glambdar-Key} always, and in keyed mode an {@code Authorization: Bearer}
     * that holds the admin key or an invoke key. A function's own kind of {@code Authorization} passes through.
     *
     * @param headers lower-case names
     * @return {@code headers} itself when it holds no credential, else a copy without them
     */
    public Map<String, List<String>> withoutCredentials(Map<String, List<String>> headers) {
        List<String> authorization = headers.get("authorization");
        boolean glambdarBearer = mode.keyed() && authorization != null && authorization.stream()
                .map(AccessPolicy::bearerToken)
                .anyMatch(token -> token != null
                        && (InvokeKeyFormat.keyIdOf(token) != null || mode.adminKey().matches(token)));
        if (!glambdarBearer && !headers.containsKey("x-glambdar-key")) {
            return headers;
        }
        Map<String, List<String>> kept = new LinkedHashMap<>(headers);
        kept.remove("x-glambdar-key");
        if (glambdarBearer) {
            kept.remove("authorization");
        }
        return kept;
    }

    private boolean isInvokeKey(String key) {
        return key != null && functions.checkInvokeKey(key, null) == Verdict.OTHER_FUNCTION;
    }

    /** The token of {@code Authorization: Bearer <token>} (scheme in any case), or null when it is not that. */
    static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || !Character.isWhitespace(value.charAt(BEARER.length()))) {
            return null;
        }
        String token = value.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static String present(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        return value.isEmpty() ? null : value;
    }

    private static String malformedAuthorization() {
        return "the Authorization header must be 'Bearer <key>' (the word Bearer, a space, then the key)";
    }

    private static String adminKeyHowTo() {
        return "send the admin key (the server's GLAMBDAR_ADMIN_KEY) as 'Authorization: Bearer <admin key>'";
    }

    private static String invokeKeyHowTo(String function) {
        return "Send the admin key or an invoke key of " + DeployRejectedException.quote(function)
                + " as 'Authorization: Bearer <key>' or 'X-Glambdar-Key: <key>' (the admin makes invoke keys with"
                + " POST /keys/<name>)";
    }
}

package io.glambdar.http.auth;

import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.Map;

/**
 * The access policy as a Javalin {@code before} handler: runs ahead of every route (unknown routes included) and
 * throws {@link AccessDeniedException} when the policy refuses, which the server answers as JSON.
 */
public final class AccessFilter implements Handler {

    public static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    public static final String CHALLENGE = "Bearer realm=\"glambdar\"";
    /** Request attribute: the version an invocation let in as public must run on. */
    private static final String PUBLIC_VERSION = "glambdar.publicVersion";

    private final AccessPolicy policy;

    public AccessFilter(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void handle(Context ctx) {
        if (policy.mode().keyed()) {
            refuseRepeated(ctx, AccessPolicy.AUTHORIZATION);
            refuseRepeated(ctx, AccessPolicy.GLAMBDAR_KEY);
        }
        AccessRequest request = new AccessRequest(ctx.req().getMethod(), ctx.path(), ctx.header("Host"),
                every(ctx, "Origin"), every(ctx, "Sec-Fetch-Site"), ctx.header(AccessPolicy.AUTHORIZATION),
                ctx.header(AccessPolicy.GLAMBDAR_KEY));
        switch (policy.decide(request)) {
            case Decision.Denied denied -> throw new AccessDeniedException(denied);
            case Decision.AllowedAsPublic asPublic -> ctx.attribute(PUBLIC_VERSION, asPublic.version());
            case Decision.Allowed allowed -> {
            }
        }
    }

    /**
     * What an invocation route runs: {@code reference} from its path ({@code name} or {@code name@N}), or, for a caller
     * let in only because the function is public, the very version found public ({@code name@N}) — so that a version
     * deployed since, or before an asynchronous job runs, without {@code "public": true} is never run for a caller
     * without a key.
     */
    public static String invoked(Context ctx, String reference) {
        Integer publicVersion = ctx.attribute(PUBLIC_VERSION);
        if (publicVersion == null) {
            return reference;
        }
        int at = reference.indexOf('@');
        return (at < 0 ? reference : reference.substring(0, at)) + "@" + publicVersion;
    }

    /**
     * Two credentials are ambiguous: which one a proxy in front checked, and which one this server would, could differ
     * (taking the first made the answer depend on the headers' order).
     */
    private static void refuseRepeated(Context ctx, String header) {
        var values = ctx.req().getHeaders(header);
        if (values != null && values.hasMoreElements()) {
            values.nextElement();
            if (values.hasMoreElements()) {
                throw new AccessDeniedException(new Decision.Denied(400, "the request carries more than one " + header
                        + " header; send the key once", false));
            }
        }
    }

    /**
     * Every value of a header, comma-separated as one (RFC 9110 5.3), so that a repeated {@code Origin} or
     * {@code Sec-Fetch-Site} is judged whole rather than by its first value.
     */
    private static String every(Context ctx, String header) {
        var values = ctx.req().getHeaders(header);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        if (!values.hasMoreElements()) {
            return first;
        }
        StringBuilder all = new StringBuilder(first);
        while (values.hasMoreElements()) {
            all.append(", ").append(values.nextElement());
        }
        return all.toString();
    }

    /** Writes a refusal: its status, the challenge on a 401, and {@code {"error": ...}}. */
    public static void respond(AccessDeniedException e, Context ctx) {
        Decision.Denied denied = e.denied();
        if (denied.challenge()) {
            ctx.header(WWW_AUTHENTICATE, CHALLENGE);
        }
        ctx.status(denied.status()).json(Map.of("error", denied.message()));
    }

    /** A request the policy refused; no stack trace, it is not a failure of the server. */
    public static final class AccessDeniedException extends RuntimeException {
        private final transient Decision.Denied denied;

        AccessDeniedException(Decision.Denied denied) {
            super(denied.message(), null, false, false);
            this.denied = denied;
        }

        public Decision.Denied denied() {
            return denied;
        }
    }
}

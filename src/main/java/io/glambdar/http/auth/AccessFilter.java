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

    private final AccessPolicy policy;

    public AccessFilter(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void handle(Context ctx) {
        AccessRequest request = new AccessRequest(ctx.req().getMethod(), ctx.path(), ctx.header("Host"),
                ctx.header("Origin"), ctx.header("Sec-Fetch-Site"), ctx.header(AccessPolicy.AUTHORIZATION),
                ctx.header(AccessPolicy.GLAMBDAR_KEY));
        if (policy.decide(request) instanceof Decision.Denied denied) {
            throw new AccessDeniedException(denied);
        }
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

package io.glambdar.http.auth;

/** What the access policy decided about one request. */
public sealed interface Decision {

    Decision ALLOWED = new Allowed();

    /** On to the route. */
    record Allowed() implements Decision {
    }

    /**
     * On to the route only because version {@code version} of the function invoked is public: the invocation must run
     * on that version, never on one deployed later that is not public (an asynchronous job runs after the request).
     */
    record AllowedAsPublic(int version) implements Decision {
    }

    /**
     * Refused: {@code status} with {@code {"error": message}}.
     *
     * @param challenge a 401 that carries {@code WWW-Authenticate: Bearer realm="glambdar"}
     */
    record Denied(int status, String message, boolean challenge) implements Decision {

        static Denied unauthorized(String message) {
            return new Denied(401, message, true);
        }

        static Denied forbidden(String message) {
            return new Denied(403, message, false);
        }
    }
}

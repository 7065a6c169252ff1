package io.glambdar.http.auth;

import io.glambdar.usecase.InvokeKeys.Verdict;

/** What the access policy needs to know about functions and their keys (the use cases answer; tests fake it). */
public interface FunctionAccess {

    /** Whether the function is deployed with {@code "public": true}. False for an unknown or invalid name. */
    boolean isPublic(String function);

    /**
     * What {@code key} may do for an invocation of {@code function}, or for a control route when {@code function} is
     * null. A {@link Verdict#VALID} use is recorded.
     */
    Verdict checkInvokeKey(String key, String function);
}

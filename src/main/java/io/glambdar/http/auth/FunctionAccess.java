package io.glambdar.http.auth;

import io.glambdar.usecase.InvokeKeys.Verdict;

import java.util.OptionalInt;

/** What the access policy needs to know about functions and their keys (the use cases answer; tests fake it). */
public interface FunctionAccess {

    /**
     * The number of the version invoked ({@code name}: the active one, {@code name@N}: version N) when it is deployed
     * with {@code "public": true}; empty otherwise, and for an unknown or invalid name or version.
     */
    OptionalInt publicVersion(String reference);

    /**
     * What {@code key} may do for an invocation of {@code function}, or for a control route when {@code function} is
     * null. A {@link Verdict#VALID} use is recorded.
     */
    Verdict checkInvokeKey(String key, String function);
}

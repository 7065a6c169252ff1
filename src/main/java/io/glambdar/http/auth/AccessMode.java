package io.glambdar.http.auth;

import java.util.Objects;

/**
 * How the server lets requests in (SPEC "Authentication").
 *
 * @param adminKey          the admin key in keyed mode; null in open mode
 * @param loopbackHostsOnly open mode on a loopback address: answer only requests whose {@code Host} is a loopback
 *                          name, which stops DNS rebinding
 */
public record AccessMode(AdminKey adminKey, boolean loopbackHostsOnly) {

    /** No keys. {@code listeningOnLoopback}: only requests addressed to a loopback name are answered. */
    public static AccessMode open(boolean listeningOnLoopback) {
        return new AccessMode(null, listeningOnLoopback);
    }

    /** Every route but the exempt ones and public invocations needs a key. */
    public static AccessMode keyed(AdminKey adminKey) {
        return new AccessMode(Objects.requireNonNull(adminKey, "adminKey"), false);
    }

    public boolean keyed() {
        return adminKey != null;
    }
}

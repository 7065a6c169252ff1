package io.glambdar.usecase;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionName;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.VersionNotFoundException;

/**
 * What {@code /invoke/:name} names: a function ({@code name}, its active version) or one version of it
 * ({@code name@N}).
 *
 * @param version null for the active version
 */
public record FunctionReference(String name, Integer version) {

    /** Longest version number accepted: nine digits always fit an int. */
    private static final int MAX_VERSION_DIGITS = 9;

    /**
     * @throws DeployRejectedException ({@code BAD_REQUEST}) for a bad name or a version that is not a positive number
     */
    public static FunctionReference parse(String reference) {
        int at = reference.indexOf('@');
        if (at < 0) {
            return new FunctionReference(FunctionName.validate(reference), null);
        }
        String name = FunctionName.validate(reference.substring(0, at));
        String version = reference.substring(at + 1);
        if (version.isEmpty() || version.length() > MAX_VERSION_DIGITS || !version.chars().allMatch(Character::isDigit)
                || version.charAt(0) == '0') {
            throw DeployRejectedException.badRequest("invalid version " + DeployRejectedException.quote(version)
                    + " in " + DeployRejectedException.quote(reference) + ": use " + name
                    + "@N with N a version number (1, 2, ...; see GET /versions/" + name + ")");
        }
        return new FunctionReference(name, Integer.parseInt(version));
    }

    /** A function and one of its versions. */
    public record Resolved(StoredFunction function, Deployment version) {
    }

    /**
     * The function this names and the version: the active one, or version N.
     *
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when the version named is not kept
     */
    public Resolved resolve(FunctionCatalog catalog) {
        StoredFunction function = catalog.find(name);
        return new Resolved(function, version == null ? function.active() : catalog.version(function, version));
    }
}

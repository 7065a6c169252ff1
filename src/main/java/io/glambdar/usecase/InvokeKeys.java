package io.glambdar.usecase;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.keys.InvokeKeyRecord;
import io.glambdar.store.keys.KeyIndex;
import io.glambdar.store.keys.KeyIndex.IndexedKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Invoke keys: {@code POST /keys/:name}, {@code GET /keys/:name}, {@code DELETE /keys/:name/:keyId}, and the check an
 * invocation's key goes through. A key invokes one function, in the life it was made for: once the function is
 * deleted, its keys never work again, even for a new deploy of the same name.
 */
public final class InvokeKeys {

    private static final Logger log = LoggerFactory.getLogger(InvokeKeys.class);

    /** A key just made: the only time the key itself is shown. */
    public record CreatedKey(String function, String keyId, String key, Instant createdAt) {
        @Override
        public String toString() {
            return "CreatedKey[function=" + function + ", keyId=" + keyId + "]";
        }
    }

    /** A key as listed: never the key. */
    public record KeyInfo(String keyId, Instant createdAt, Instant lastUsedAt) {
    }

    /** What a presented key may do. */
    public enum Verdict {
        /** A live key of the function asked for (its use is recorded). */
        VALID,
        /** A live key, but of another function (or, for a control route, of any function). */
        OTHER_FUNCTION,
        /** Not a live invoke key: malformed, unknown, revoked, or of a deleted function. */
        INVALID
    }

    /** Thrown by {@link #revoke} for a key the function does not have. */
    public static final class KeyNotFoundException extends RuntimeException {
        KeyNotFoundException(String message) {
            super(message);
        }
    }

    private final FunctionCatalog catalog;
    private final KeyIndex index;
    private final Clock clock;
    private final SecureRandom random;

    public InvokeKeys(FunctionCatalog catalog, KeyIndex index, Clock clock, SecureRandom random) {
        this.catalog = catalog;
        this.index = index;
        this.clock = clock;
        this.random = random;
    }

    /**
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws DeployRejectedException   ({@code BAD_REQUEST}) for an invalid name
     */
    public CreatedKey create(String name) {
        StoredFunction function = catalog.find(name);
        InvokeKeyFormat.NewKey made = InvokeKeyFormat.generate(random);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored
        index.add(new InvokeKeyRecord(made.keyId(), function.name(), function.functionId(), made.hash(), now, null));
        log.info("Created invoke key {} of function {}", made.keyId(), function.name());
        return new CreatedKey(function.name(), made.keyId(), made.key(), now);
    }

    /**
     * The function's keys, oldest first.
     *
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws DeployRejectedException   ({@code BAD_REQUEST}) for an invalid name
     */
    public List<KeyInfo> list(String name) {
        StoredFunction function = catalog.find(name);
        return index.ofFunction(function.name()).stream()
                .filter(key -> key.functionId().equals(function.functionId()))
                .map(key -> new KeyInfo(key.keyId(), key.createdAt(), key.lastUsedAt()))
                .toList();
    }

    /**
     * Revokes one key: it fails from the next request on.
     *
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws KeyNotFoundException      when the function has no live key of that id
     * @throws DeployRejectedException   ({@code BAD_REQUEST}) for an invalid name
     */
    public void revoke(String name, String keyId) {
        StoredFunction function = catalog.find(name);
        IndexedKey key = index.find(keyId);
        if (key == null || !key.functionName().equals(function.name())
                || !key.functionId().equals(function.functionId()) || !index.remove(function.name(), keyId)) {
            throw new KeyNotFoundException("function '" + function.name() + "' has no invoke key '" + keyId
                    + "' (revoked already, or never made); GET /keys/" + function.name() + " lists its keys");
        }
        log.info("Revoked invoke key {} of function {}", keyId, function.name());
    }

    /** Forgets every key of a function name, once the function is deleted. Never throws. */
    public void forgetFunction(String name) {
        try {
            int removed = index.removeAllOf(name);
            if (removed > 0) {
                log.info("Deleted the {} invoke keys of function {}", removed, name);
            }
        } catch (RuntimeException e) {
            // They are dead anyway: they were made for the life of the function that just ended.
            log.warn("Could not delete the invoke keys of deleted function {} (they no longer work): {}", name,
                    e.toString());
        }
    }

    /**
     * What {@code presented} may do for an invocation of {@code functionName}, or for a control route when
     * {@code functionName} is null. A valid use is recorded (its time is written behind).
     */
    public Verdict check(String presented, String functionName) {
        String keyId = InvokeKeyFormat.keyIdOf(presented);
        if (keyId == null) {
            return Verdict.INVALID;
        }
        IndexedKey key = index.find(keyId);
        if (key == null || !key.hashEquals(InvokeKeyFormat.sha256(presented)) || !isLive(key)) {
            return Verdict.INVALID;
        }
        if (!key.functionName().equals(functionName)) {
            return Verdict.OTHER_FUNCTION;
        }
        index.used(key, clock.instant().truncatedTo(ChronoUnit.MILLIS));
        return Verdict.VALID;
    }

    /** Whether the key's function is deployed now, in the life the key was made for. */
    private boolean isLive(IndexedKey key) {
        try {
            return catalog.find(key.functionName()).functionId().equals(key.functionId());
        } catch (FunctionNotFoundException | DeployRejectedException e) {
            return false;
        }
    }
}

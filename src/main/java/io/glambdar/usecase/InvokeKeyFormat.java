package io.glambdar.usecase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What an invoke key looks like: {@code gk_<keyId>_<secret>}, e.g.
 * {@code gk_3f9a0c1d2e4b5a69_Jx0vQyZ1...} (63 characters, URL-safe). The prefix makes a leaked key recognisable (to
 * secret scanners too); the key id (16 hex digits, not secret) lets a server find the key without scanning; the secret
 * is 256 random bits from {@link SecureRandom}, in URL-safe base64. Only the SHA-256 of the whole key is stored, and
 * a presented key is compared with it in constant time.
 */
public final class InvokeKeyFormat {

    public static final String PREFIX = "gk_";
    static final int KEY_ID_BYTES = 8;
    static final int SECRET_BYTES = 32;
    private static final int KEY_ID_CHARS = KEY_ID_BYTES * 2;
    /** Where the secret starts: after the prefix, the key id and an underscore. */
    private static final int SECRET_START = PREFIX.length() + KEY_ID_CHARS + 1;

    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder BASE64_URL = Base64.getUrlEncoder().withoutPadding();

    private InvokeKeyFormat() {
    }

    /** A new key, and what is stored of it. */
    public record NewKey(String keyId, String key, String hash) {
        @Override
        public String toString() { // never the key itself, should a record end up in a log
            return "NewKey[keyId=" + keyId + "]";
        }
    }

    public static NewKey generate(SecureRandom random) {
        byte[] id = new byte[KEY_ID_BYTES];
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(id);
        random.nextBytes(secret);
        String keyId = HEX.formatHex(id);
        String key = PREFIX + keyId + "_" + BASE64_URL.encodeToString(secret);
        return new NewKey(keyId, key, hash(key));
    }

    /**
     * The key id inside {@code presented}, or null when it does not have the shape of an invoke key (then it is not
     * one, whatever it is).
     */
    public static String keyIdOf(String presented) {
        if (presented == null || presented.length() <= SECRET_START || !presented.startsWith(PREFIX)
                || presented.charAt(SECRET_START - 1) != '_') {
            return null;
        }
        for (int i = PREFIX.length(); i < SECRET_START - 1; i++) {
            char c = presented.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
        }
        return presented.substring(PREFIX.length(), SECRET_START - 1);
    }

    /** Hex SHA-256 of the whole key: what is stored. */
    public static String hash(String key) {
        return HEX.formatHex(sha256(key));
    }

    /** Whether {@code presented} hashes to {@code storedHash}, compared in constant time. */
    public static boolean matches(String presented, String storedHash) {
        return MessageDigest.isEqual(sha256(presented), HEX.parseHex(storedHash));
    }

    /** SHA-256 of the UTF-8 bytes of {@code text}. */
    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must have", e);
        }
    }
}

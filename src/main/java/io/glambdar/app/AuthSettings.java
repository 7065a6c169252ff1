package io.glambdar.app;

import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How requests are authenticated, as the operator set it (README "Security model").
 *
 * @param adminKey {@code GLAMBDAR_ADMIN_KEY}: set, the server is in keyed mode; unset (or empty), in open mode
 * @param auth     {@code GLAMBDAR_AUTH}: {@code none} lets a server without an admin key listen on a non-loopback
 *                 address (behind a proxy that authenticates every request); unset otherwise
 */
public record AuthSettings(String adminKey, String auth) {

    /** Open mode: no admin key, no opt-out. */
    public static final AuthSettings OPEN = new AuthSettings(null, null);
    /** Below this many characters an admin key is worth a warning. */
    static final int SHORT_KEY_CHARS = 16;
    static final String NONE = "none";
    private static final String HOW_TO_MAKE_A_KEY = "export GLAMBDAR_ADMIN_KEY=\"$(openssl rand -hex 32)\"";

    public static AuthSettings keyed(String adminKey) {
        return new AuthSettings(adminKey, null);
    }

    /** The settings, checked against the address the server listens on, and what is worth a warning in the log. */
    public record Checked(AccessMode mode, List<String> warnings) {
    }

    /**
     * Checks the settings for a server listening on {@code host}.
     *
     * @throws IllegalStateException saying what to set, when the server must not start so: no admin key on a
     *                               non-loopback address without {@code GLAMBDAR_AUTH=none}, an unknown
     *                               {@code GLAMBDAR_AUTH}, both an admin key and {@code none}, or an admin key that
     *                               cannot travel in an HTTP header
     */
    public Checked check(String host, int port) {
        List<String> warnings = new ArrayList<>();
        boolean optOut = optOut();
        String key = adminKey;
        if (key != null && key.isEmpty()) {
            warnings.add("GLAMBDAR_ADMIN_KEY is set but empty, so no key is required (open mode)");
            key = null;
        }
        if (key != null) {
            if (optOut) {
                throw new IllegalStateException("GLAMBDAR_AUTH=none turns authentication off, but GLAMBDAR_ADMIN_KEY is"
                        + " set too; unset one of them");
            }
            if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalStateException("GLAMBDAR_ADMIN_KEY must be printable ASCII without spaces, since"
                        + " clients send it in an HTTP header; make one with: " + HOW_TO_MAKE_A_KEY);
            }
            if (key.length() < SHORT_KEY_CHARS) {
                warnings.add("GLAMBDAR_ADMIN_KEY is only " + key.length() + " characters long, which can be guessed;"
                        + " use at least 32 random characters, e.g. " + HOW_TO_MAKE_A_KEY);
            }
            return new Checked(AccessMode.keyed(AdminKey.of(key)), warnings);
        }
        boolean loopback = isLoopback(host);
        if (!loopback && !optOut) {
            throw new IllegalStateException("refusing to listen on " + where(host, port) + " without an admin key:"
                    + " anyone who can reach that address could deploy and run code. Set an admin key ("
                    + HOW_TO_MAKE_A_KEY + ", or --admin-key), or listen on a loopback address only"
                    + " (GLAMBDAR_HOST=127.0.0.1), or, behind a proxy that authenticates every request, opt out with"
                    + " GLAMBDAR_AUTH=none");
        }
        if (optOut) {
            warnings.add(loopback
                    ? "GLAMBDAR_AUTH=none changes nothing on a loopback address: no key is required there anyway"
                    : "GLAMBDAR_AUTH=none: authentication is off, and anyone who can reach " + where(host, port)
                    + " can deploy and run code. Only do this behind a proxy that authenticates every request");
        }
        return new Checked(AccessMode.open(loopback), warnings);
    }

    private boolean optOut() {
        if (auth == null || auth.isBlank()) {
            return false;
        }
        if (auth.strip().toLowerCase(Locale.ROOT).equals(NONE)) {
            return true;
        }
        throw new IllegalStateException("GLAMBDAR_AUTH must be unset, or 'none' to run without an admin key on a"
                + " non-loopback address behind a proxy that authenticates every request; got '" + auth + "'");
    }

    /**
     * Whether {@code host} means loopback only: every address it resolves to is in 127.0.0.0/8 or is ::1 (so
     * {@code localhost} is, unless this machine resolves it elsewhere). No host, {@code 0.0.0.0} and {@code ::} mean
     * every interface.
     *
     * @throws IllegalStateException when the host does not resolve
     */
    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String name = host.strip();
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve GLAMBDAR_HOST '" + host + "' (" + e.getMessage()
                    + "); use an address such as 127.0.0.1, or a name this machine resolves");
        }
        for (InetAddress address : addresses) {
            if (!address.isLoopbackAddress()) {
                return false;
            }
        }
        return addresses.length > 0;
    }

    private static String where(String host, int port) {
        String shown = host == null || host.isBlank() ? "every interface" : host;
        return shown + (port > 0 ? " port " + port : "");
    }

    @Override
    public String toString() { // never the key
        return "AuthSettings[adminKey=" + (adminKey == null ? "unset" : "(hidden)") + ", auth=" + auth + "]";
    }
}

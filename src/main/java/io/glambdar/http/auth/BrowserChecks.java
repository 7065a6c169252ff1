package io.glambdar.http.auth;

import io.glambdar.store.DeployRejectedException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a browser request comes from, from the headers browsers set and pages cannot: {@code Origin},
 * {@code Sec-Fetch-Site} and {@code Host}. Requests from programs (curl, the CLI) send neither {@code Origin} nor
 * {@code Sec-Fetch-Site} and pass.
 */
final class BrowserChecks {

    /** The last {@code Host} judged, and the judgement: a pure function of the header, so any thread may reuse it. */
    private record LoopbackAnswer(String host, boolean loopback) {
    }

    private static volatile LoopbackAnswer lastLoopbackAnswer;

    private BrowserChecks() {
    }

    /**
     * Why the request comes from a page of another site, or null when it does not: its {@code Origin} is present and
     * is not this server's own origin (same host and port as the request's {@code Host}, scheme http or https), or is
     * {@code null} (sandboxed frames, some redirects), or its {@code Sec-Fetch-Site} is {@code cross-site}.
     */
    static String crossSite(String origin, String secFetchSite, String host) {
        if (origin != null) {
            String trimmed = origin.strip();
            if (trimmed.contains(",")) {
                return "the request carries more than one origin (Origin: " + DeployRejectedException.quote(trimmed)
                        + "); a browser sends one";
            }
            if (trimmed.equals("null")) {
                return "the request comes from a page with an opaque origin (Origin: null), such as a sandboxed frame";
            }
            if (!isSameOrigin(trimmed, host)) {
                return "the request comes from a page of " + DeployRejectedException.quote(trimmed) + ", which is not this server's own origin"
                        + (host == null ? "" : " (http or https://" + host + ")");
            }
        }
        if (secFetchSite != null) {
            for (String value : secFetchSite.split(",")) {
                if (value.strip().equalsIgnoreCase("cross-site")) {
                    return "the browser says it comes from a page of another site (Sec-Fetch-Site: cross-site)";
                }
            }
        }
        return null;
    }

    /** Whether {@code origin} (scheme://host[:port]) names the same host and port as the {@code Host} header. */
    static boolean isSameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        int separator = origin.indexOf("://");
        if (separator < 0) {
            return false;
        }
        int defaultPort = switch (origin.substring(0, separator).toLowerCase(Locale.ROOT)) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
        String authority = origin.substring(separator + 3);
        if (defaultPort < 0 || authority.chars().anyMatch(c -> c == '/' || c == '?' || c == '#' || c == '@')) {
            return false;
        }
        HostHeader from = HostHeader.parse(authority);
        HostHeader to = HostHeader.parse(host);
        if (from == null || to == null) {
            return false;
        }
        int fromPort = from.port() < 0 ? defaultPort : from.port();
        int toPort = to.port() < 0 ? defaultPort : to.port();
        return from.name().equalsIgnoreCase(to.name()) && fromPort == toPort;
    }

    /**
     * Whether the {@code Host} header names this machine's loopback: {@code localhost}, {@code 127.x.x.x} or
     * {@code [::1]}, with any port. No name is resolved: a name an attacker's DNS points at 127.0.0.1 is not one. A
     * request without a {@code Host} (HTTP/1.0; never a browser) passes.
     */
    static boolean isLoopbackHost(String host) {
        if (host == null) {
            return true;
        }
        // Nearly every request names the same host: parsing it (split, an address literal) was 3 % of a reuse call.
        LoopbackAnswer last = lastLoopbackAnswer;
        if (last != null && last.host().equals(host)) {
            return last.loopback();
        }
        boolean loopback = namesLoopback(host);
        lastLoopbackAnswer = new LoopbackAnswer(host, loopback);
        return loopback;
    }

    private static boolean namesLoopback(String host) {
        HostHeader parsed = HostHeader.parse(host);
        if (parsed == null) {
            return false;
        }
        String name = parsed.name().toLowerCase(Locale.ROOT);
        if (name.equals("localhost")) {
            return true;
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            return isLoopbackLiteral(name.substring(1, name.length() - 1), true);
        }
        return isLoopbackLiteral(name, false);
    }

    /** An IP literal (never a name, so nothing is resolved) in 127.0.0.0/8 or ::1. */
    private static boolean isLoopbackLiteral(String literal, boolean ipv6) {
        if (ipv6) {
            if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':'
                    || c == '.')) {
                return false;
            }
        } else {
            String[] octets = literal.split("\\.", -1);
            if (octets.length != 4) {
                return false;
            }
            for (String octet : octets) {
                if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')
                        || Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress(); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A {@code Host} header: {@code name}, {@code name:port}, {@code [v6]} or {@code [v6]:port}; port -1 if none. */
    record HostHeader(String name, int port) {
        static HostHeader parse(String header) {
            String host = header.strip();
            String name;
            String port = null;
            if (host.startsWith("[")) {
                int close = host.indexOf(']');
                if (close < 0) {
                    return null;
                }
                name = host.substring(0, close + 1);
                String rest = host.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        return null;
                    }
                    port = rest.substring(1);
                }
            } else {
                int colon = host.lastIndexOf(':');
                if (colon >= 0 && host.indexOf(':') != colon) {
                    return null; // an IPv6 literal without brackets
                }
                name = colon < 0 ? host : host.substring(0, colon);
                port = colon < 0 ? null : host.substring(colon + 1);
            }
            if (name.isEmpty() || name.equals("[]")) {
                return null;
            }
            if (port == null) {
                return new HostHeader(name, -1);
            }
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int number = Integer.parseInt(port);
            return number > 65535 ? null : new HostHeader(name, number);
        }
    }
}

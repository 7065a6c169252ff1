package io.glambdar.http.auth;

/**
 * The parts of a request access depends on: its route and the headers that carry keys or say where it comes from.
 * A header that was not sent is null.
 *
 * @param path          the raw path, as the router sees it
 * @param glambdarKey   {@code X-Glambdar-Key}
 * @param secFetchSite  {@code Sec-Fetch-Site}, which browsers send: {@code same-origin}, {@code same-site},
 *                      {@code none} or {@code cross-site}
 */
public record AccessRequest(String method, String path, String host, String origin, String secFetchSite,
                            String authorization, String glambdarKey) {

    @Override
    public String toString() { // never the keys
        return "AccessRequest[" + method + " " + path + ", host=" + host + ", origin=" + origin + ", secFetchSite="
                + secFetchSite + ", authorization=" + (authorization == null ? "none" : "(hidden)")
                + ", glambdarKey=" + (glambdarKey == null ? "none" : "(hidden)") + "]";
    }
}

package io.glambdar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/1.1 over a plain socket, byte for byte: for what a client library would tidy up or refuse (odd methods, raw
 * targets, exact header lines, a forged Host, huge headers).
 */
final class RawHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A response as it came over the wire: every header line, in order. */
    record Response(int status, List<String[]> headers, byte[] body) {
        List<String> values(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }
    }

    private RawHttp() {
    }

    /**
     * One exchange on a fresh socket, with exactly the request line, Host, header lines and body given.
     *
     * @param close send {@code Connection: close}: the server closes after its answer, so a body it sent without a
     *              length, or after the head of a {@code HEAD} answer, shows
     */
    static Response exchange(int port, String method, String target, String host, List<String> headerLines,
                             byte[] body, boolean close) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
            if (close) {
                head.append("Connection: close\r\n");
            }
            headerLines.forEach(line -> head.append(line).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(socket.getInputStream(), method, close);
        }
    }

    /**
     * Reads one response: its body by its {@code Content-Length}; to the end of the stream for a {@code HEAD} (all
     * there is until the server closes) or, on a closing connection, without a length; else none.
     */
    static Response read(InputStream in, String method, boolean close) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; !(line = readLine(in)).isEmpty(); ) {
            lines.add(line);
        }
        int status = Integer.parseInt(lines.getFirst().split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            headers.add(new String[]{line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
        List<String> length = new Response(status, headers, new byte[0]).values("Content-Length");
        byte[] content = method.equals("HEAD") ? in.readAllBytes()
                : !length.isEmpty() ? in.readNBytes(Integer.parseInt(length.getFirst()))
                : close ? in.readAllBytes() : new byte[0];
        return new Response(status, headers, content);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed in the middle of the response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}

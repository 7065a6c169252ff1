package io.glambdar.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection that POSTs and reads the reply. Deliberately minimal: on a 2-core machine the
 * load generator shares the CPU with the server, and a general-purpose client would measure itself as much as us.
 */
final class HttpConnection implements Closeable {

    record Reply(int status, String body) {
    }

    private final String host;
    private final int port;
    /** Sent with every request, e.g. an {@code Authorization} line; "" for none. */
    private final String extraHeaders;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpConnection(String host, int port) {
        this(host, port, null);
    }

    /** @param bearerKey sent as {@code Authorization: Bearer <key>} with every request; null for none */
    HttpConnection(String host, int port, String bearerKey) {
        this.host = host;
        this.port = port;
        this.extraHeaders = bearerKey == null ? "" : "Authorization: Bearer " + bearerKey + "\r\n";
    }

    Reply post(String path, String body) throws IOException {
        try {
            return exchange(path, body);
        } catch (IOException e) { // the server may close an idle keep-alive connection: retry once on a new one
            close();
            return exchange(path, body);
        }
    }

    private Reply exchange(String path, String body) throws IOException {
        if (socket == null) {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/json\r\n" + extraHeaders + "Content-Length: " + payload.length
                + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + payload.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(payload, 0, request, headBytes.length, payload.length);
        out.write(request);
        out.flush();

        String statusLine = readLine();
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        int length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        byte[] content = chunked ? readChunked() : in.readNBytes(Math.max(0, length));
        if (close) {
            close();
        }
        return new Reply(status, new String(content, StandardCharsets.UTF_8));
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(readLine().trim(), 16); size > 0; size = Integer.parseInt(readLine().trim(), 16)) {
            content.write(in.readNBytes(size));
            readLine();
        }
        readLine();
        return content.toByteArray();
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
            socket = null;
        }
    }
}

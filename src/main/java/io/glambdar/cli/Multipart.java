package io.glambdar.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** A {@code multipart/form-data} body of one file field, as {@code /deploy} takes a zip. */
final class Multipart {

    private final String boundary = "glambdar-" + UUID.randomUUID();
    private final byte[] head;
    private final byte[] content;
    private final byte[] tail;

    /**
     * @param field    the form field ({@code file})
     * @param fileName the file's name, which the server may read the function's name from
     */
    Multipart(String field, String fileName, String contentType, byte[] content) {
        this.head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                + fileName.replace("\"", "%22").replace("\r", "").replace("\n", "") + "\"\r\nContent-Type: "
                + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        this.content = content;
        this.tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    long length() {
        return (long) head.length + content.length + tail.length;
    }

    /** The body, from the start. */
    InputStream stream() {
        return new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(head),
                new ByteArrayInputStream(content), new ByteArrayInputStream(tail))));
    }
}

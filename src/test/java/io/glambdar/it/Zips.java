package io.glambdar.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Function zips for tests (entries in the order given). */
public final class Zips {

    private Zips() {
    }

    /** The seed README's example function. */
    public static final String HELLO = """
            exports.handler = async (req) => {
              const jsonData = await req.json();
              return {
                statusCode: 200,
                body: {
                  message: `Hello ${jsonData.name}!`
                }
              };
            };
            """;

    /** The hex SHA-256 of a zip: what the server reports as a version's {@code sha256}. */
    public static String sha256(byte[] zip) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static byte[] of(String indexJs) {
        return of(Map.of("index.js", indexJs));
    }

    public static byte[] of(Map<String, String> files) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((name, content) -> bytes.put(name, content.getBytes(StandardCharsets.UTF_8)));
        return ofBytes(bytes);
    }

    /** 2025-01-01T00:00:00Z: every entry's modification time. */
    private static final long FIXED_TIME = 1_735_689_600_000L;

    public static byte[] ofBytes(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var file : files.entrySet()) {
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setTime(FIXED_TIME); // the same files make the same bytes, whenever they are zipped
                zip.putNextEntry(entry);
                zip.write(file.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

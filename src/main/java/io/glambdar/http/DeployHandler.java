package io.glambdar.http;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.usecase.DeployFunction;
import io.glambdar.usecase.FunctionInfo;
import io.javalin.http.Context;
import jakarta.servlet.http.Part;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /deploy} (a new function, named after the zip) and {@code PUT /deploy/:name} (a new version, or version 1
 * of a new function): a multipart upload whose field {@code file} is the function's zip.
 */
final class DeployHandler {


    /** Room for the multipart framing around the file (boundaries, part headers). */
    static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;

    private final DeployFunction deployFunction;
    private final long maxUploadBytes;
    private final Path uploadDir;

    DeployHandler(DeployFunction deployFunction, long maxUploadBytes, Path uploadDir) {
        this.deployFunction = deployFunction;
        this.maxUploadBytes = maxUploadBytes;
        this.uploadDir = uploadDir;
    }

    /** {@code POST /deploy}. */
    void deploy(Context ctx) throws IOException {
        receive(ctx, (file, zip) -> deployFunction.deploy(submittedFileName(file), zip));
    }

    /** {@code PUT /deploy/:name}: the name comes from the path, whatever the zip's file name. */
    void update(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        receive(ctx, (file, zip) -> deployFunction.update(name, zip));
    }

    /**
     * The file name as the client sent it: Jetty's {@code getSubmittedFileName()} drops a directory part
     * ({@code ../../x.zip} becomes {@code x.zip}), which must be refused instead, so it is read from the part's own
     * {@code Content-Disposition} header.
     */
    static String submittedFileName(Part file) {
        String raw = fileNameParameter(file.getHeader("Content-Disposition"));
        return raw != null ? raw : file.getSubmittedFileName();
    }

    /**
     * The {@code filename} parameter of a {@code Content-Disposition} header, or null when it has none. A quoted value
     * keeps its backslashes (browsers and curl send a Windows path's as they are) but for an escaped quote.
     */
    static String fileNameParameter(String disposition) {
        if (disposition == null) {
            return null;
        }
        int i = 0;
        int length = disposition.length();
        while (i < length) {
            int semicolon = disposition.indexOf(';', i);
            if (semicolon < 0) {
                return null;
            }
            i = semicolon + 1;
            while (i < length && Character.isWhitespace(disposition.charAt(i))) {
                i++;
            }
            int equals = disposition.indexOf('=', i);
            if (equals < 0) {
                return null;
            }
            String name = disposition.substring(i, equals).strip();
            i = equals + 1;
            while (i < length && Character.isWhitespace(disposition.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < length && disposition.charAt(i) == '"') {
                for (i++; i < length && disposition.charAt(i) != '"'; i++) {
                    char c = disposition.charAt(i);
                    if (c == '\\' && i + 1 < length && disposition.charAt(i + 1) == '"') {
                        c = disposition.charAt(++i);
                    }
                    value.append(c);
                }
                i++; // the closing quote
            } else {
                int end = disposition.indexOf(';', i);
                value.append(disposition, i, end < 0 ? length : end);
                i = end < 0 ? length : end;
                value.setLength(value.toString().strip().length());
            }
            if (name.equalsIgnoreCase("filename")) {
                return value.toString();
            }
        }
        return null;
    }

    @FunctionalInterface
    private interface Deploy {
        FunctionInfo apply(Part file, Path zip);
    }

    private void receive(Context ctx, Deploy deploy) throws IOException {
        if (!ctx.isMultipartFormData()) {
            throw new DeployRejectedException(Reason.BAD_REQUEST, "expected a multipart/form-data upload; "
                    + usage(ctx));
        }
        // A declared length over the limit was refused before reading a byte (BodyLimits).
        try {
            Part file = uploadedFile(ctx);
            if (file == null) {
                throw new DeployRejectedException(Reason.BAD_REQUEST, "missing the zip file; " + usage(ctx));
            }
            if (file.getSize() > maxUploadBytes) { // Jetty enforces this while parsing; checked again, for free
                throw tooLarge();
            }
            Path zip = Files.createTempFile(uploadDir, "upload-", ".zip");
            try {
                file.write(zip.toString()); // Jetty spooled it to uploadDir already: this moves it, no copy
                FunctionInfo info = deploy.apply(file, zip);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("function", info.name());
                body.put("status", "deployed");
                body.put("version", info.version());
                ctx.status(201).json(body);
            } finally {
                Files.deleteIfExists(zip);
            }
        } finally {
            deleteParts(ctx);
        }
    }

    /** Jetty would delete its spooled copy only after the response is sent: do it before, so nothing lingers. */
    private static void deleteParts(Context ctx) {
        try {
            for (Part part : ctx.req().getParts()) {
                part.delete();
            }
        } catch (Exception e) {
            // best effort: Jetty deletes them at the end of the request anyway
        }
    }

    /**
     * Jetty parses the multipart body, spooling the file to disk and enforcing the size limit as it reads; its
     * refusals become clear 400/413s.
     */
    private Part uploadedFile(Context ctx) {
        try {
            // Javalin parses with its multipart settings (spool folder, size limit); the servlet Part it parsed can
            // then be moved into place instead of copied.
            return ctx.uploadedFile("file") == null ? null : ctx.req().getPart("file");
        } catch (Exception e) { // Jetty's ServletException arrives undeclared (Javalin is written in Kotlin)
            // Jetty drops the connection after a failed parse (the body was not read to its end): say so, or a
            // client reuses it for its next request and gets no answer at all.
            ctx.header("Connection", "close");
            // Jetty wraps the cause a few times ("400: bad multipart" around "max file size exceeded").
            String root = String.valueOf(e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
                if (message.contains("max") || message.contains("size")) {
                    throw tooLarge();
                }
                root = String.valueOf(t.getMessage());
            }
            throw new DeployRejectedException(Reason.BAD_REQUEST, "could not read the multipart upload ("
                    + root + "); " + usage(ctx), e);
        }
    }

    /** How to send a deploy, as the request at hand would: the same method, path and server. */
    private static String usage(Context ctx) {
        String host = ctx.host() == null || ctx.host().isBlank() ? "localhost:8000" : ctx.host();
        return "send the zip as a multipart form field named 'file', e.g. curl -X " + ctx.method().name()
                + " -F \"file=@myfunc.zip\" " + ctx.scheme() + "://" + host + ctx.path();
    }

    private DeployRejectedException tooLarge() {
        return new DeployRejectedException(Reason.TOO_LARGE, tooLargeMessage(maxUploadBytes));
    }

    static String tooLargeMessage(long maxUploadBytes) {
        return "the upload is larger than the " + (maxUploadBytes / (1024 * 1024))
                + " MiB limit (GLAMBDAR_MAX_UPLOAD_MB)";
    }
}

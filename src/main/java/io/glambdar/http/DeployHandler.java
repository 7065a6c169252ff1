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

    private static final String USAGE = "send the zip as a multipart form field named 'file',"
            + " e.g. curl -X POST -F \"file=@myfunc.zip\" http://localhost:8000/deploy";

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
        receive(ctx, (file, zip) -> deployFunction.deploy(file.getSubmittedFileName(), zip));
    }

    /** {@code PUT /deploy/:name}: the name comes from the path, whatever the zip's file name. */
    void update(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        receive(ctx, (file, zip) -> deployFunction.update(name, zip));
    }

    @FunctionalInterface
    private interface Deploy {
        FunctionInfo apply(Part file, Path zip);
    }

    private void receive(Context ctx, Deploy deploy) throws IOException {
        if (!ctx.isMultipartFormData()) {
            throw new DeployRejectedException(Reason.BAD_REQUEST, "expected a multipart/form-data upload; " + USAGE);
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) { // refuse before reading a byte
            throw tooLarge();
        }
        try {
            Part file = uploadedFile(ctx);
            if (file == null) {
                throw new DeployRejectedException(Reason.BAD_REQUEST, "missing the zip file; " + USAGE);
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
                    + root + "); " + USAGE, e);
        }
    }

    private DeployRejectedException tooLarge() {
        return new DeployRejectedException(Reason.TOO_LARGE, "the upload is larger than the "
                + (maxUploadBytes / (1024 * 1024)) + " MiB limit (GLAMBDAR_MAX_UPLOAD_MB)");
    }
}

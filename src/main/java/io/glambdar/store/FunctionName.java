package io.glambdar.store;

import static io.glambdar.store.DeployRejectedException.quote;

/**
 * Function names: 1 to 64 characters of ASCII letters, digits, {@code -} and {@code _}, starting with a letter or
 * digit. A valid name is safe as a single path segment, a container label and a URL path segment. Nothing here
 * touches the file system.
 */
public final class FunctionName {

    public static final int MAX_LENGTH = 64;

    /** The rule, as stated in error messages. */
    public static final String RULE =
            "a function name is 1 to 64 characters of letters (a-z, A-Z), digits, '-' and '_', "
                    + "starting with a letter or digit";

    private static final String ZIP_SUFFIX = ".zip";

    private FunctionName() {
    }

    /**
     * Returns {@code raw} if it is a valid function name.
     *
     * @throws DeployRejectedException ({@code BAD_REQUEST}) quoting the bad name and stating the rule
     */
    public static String validate(String raw) {
        if (raw == null) {
            throw DeployRejectedException.badRequest("the function name is missing; " + RULE);
        }
        if (raw.isEmpty()) {
            throw DeployRejectedException.badRequest("the function name is empty; " + RULE);
        }
        if (!isValid(raw)) {
            throw DeployRejectedException.badRequest("invalid function name " + quote(raw) + ": " + RULE);
        }
        return raw;
    }

    /** Whether {@code raw} is a valid function name (never throws). */
    public static boolean isValid(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > MAX_LENGTH) {
            return false;
        }
        if (!isLetterOrDigit(raw.charAt(0))) {
            return false;
        }
        for (int i = 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (!isLetterOrDigit(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /**
     * The function name an upload's file name deploys: {@code hello.zip} deploys {@code hello}. The {@code .zip}
     * suffix is required (in any case). A file name with a directory part ({@code ../../hello.zip},
     * {@code dir/hello.zip}, {@code ..\hello.zip}) is refused, not stripped (SPEC: a name with {@code /} or {@code ..}
     * is a 400).
     *
     * @throws DeployRejectedException ({@code BAD_REQUEST}) if the file name is missing, has a directory part, is not
     *                                 a {@code .zip} or does not start with a valid function name
     */
    public static String fromUploadFileName(String submittedFileName) {
        if (submittedFileName == null || submittedFileName.isBlank()) {
            throw DeployRejectedException.badRequest(
                    "the uploaded file has no file name; upload a .zip file named after the function "
                            + "(e.g. hello.zip deploys the function \"hello\")");
        }
        if (submittedFileName.indexOf('/') >= 0 || submittedFileName.indexOf('\\') >= 0) {
            throw DeployRejectedException.badRequest(
                    "the uploaded file name " + quote(submittedFileName) + " has a directory part ('/' or '\\');"
                            + " upload a .zip file named after the function, without a path (e.g. hello.zip deploys"
                            + " the function \"hello\")");
        }
        String fileName = submittedFileName;
        int stemLength = fileName.length() - ZIP_SUFFIX.length();
        if (stemLength < 0 || !fileName.regionMatches(true, stemLength, ZIP_SUFFIX, 0, ZIP_SUFFIX.length())) {
            throw DeployRejectedException.badRequest(
                    "the uploaded file " + quote(fileName) + " is not a .zip file; upload a .zip file named after "
                            + "the function (e.g. hello.zip deploys the function \"hello\")");
        }
        String name = fileName.substring(0, stemLength);
        if (name.isEmpty()) {
            throw DeployRejectedException.badRequest(
                    "the uploaded file " + quote(fileName) + " has no function name before .zip; name the zip "
                            + "after the function (e.g. hello.zip deploys the function \"hello\")");
        }
        if (!isValid(name)) {
            throw DeployRejectedException.badRequest(
                    "invalid function name " + quote(name) + " (from the uploaded file " + quote(fileName) + "): "
                            + RULE + "; the zip's file name without .zip is the function's name");
        }
        return name;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}

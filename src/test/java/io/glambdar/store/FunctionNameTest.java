package io.glambdar.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionNameTest {

    private static final String RULE = "a function name is 1 to 64 characters of letters (a-z, A-Z), digits, "
            + "'-' and '_', starting with a letter or digit";

    private static DeployRejectedException rejection(Runnable call) {
        DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class, call::run);
        assertThat(e).as("expected a rejection").isNotNull();
        assertThat(e.reason()).isEqualTo(DeployRejectedException.Reason.BAD_REQUEST);
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "7", "a-b_c", "9lives", "hello", "HELLO", "my-func_2", "a--", "x_",
            "0123456789012345678901234567890123456789012345678901234567890123"})
    void validNames(String name) {
        assertThat(FunctionName.validate(name)).isEqualTo(name);
        assertThat(FunctionName.isValid(name)).isTrue();
    }

    @Test
    void sixtyFourCharactersIsTheMaximum() {
        String max = "a".repeat(64);
        assertThat(FunctionName.validate(max)).isEqualTo(max);

        String tooLong = "a".repeat(65);
        assertThat(rejection(() -> FunctionName.validate(tooLong)).getMessage())
                .isEqualTo("invalid function name \"" + tooLong + "\": " + RULE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-x", "_x", "a.b", "..", ".", "a/b", "a\\b", "a b", " a", "a ", "héllo", "名前",
            "a\u0000b", "a:b", "a*", "a\"b", "ÿ", "ａ" /* fullwidth a */})
    void invalidNames(String name) {
        DeployRejectedException e = rejection(() -> FunctionName.validate(name));

        assertThat(e.getMessage()).isEqualTo("invalid function name " + DeployRejectedException.quote(name)
                + ": " + RULE);
        assertThat(FunctionName.isValid(name)).isFalse();
    }

    @Test
    void emptyAndNull() {
        assertThat(rejection(() -> FunctionName.validate("")).getMessage())
                .isEqualTo("the function name is empty; " + RULE);
        assertThat(rejection(() -> FunctionName.validate(null)).getMessage())
                .isEqualTo("the function name is missing; " + RULE);
        assertThat(FunctionName.isValid(null)).isFalse();
        assertThat(FunctionName.isValid("")).isFalse();
    }

    @Test
    void badNamesAreQuotedSafely() {
        assertThat(rejection(() -> FunctionName.validate("a\nb\"c\\d\u202ee")).getMessage())
                .startsWith("invalid function name \"a\\nb\\\"c\\\\d\\u202ee\": ");

        String huge = "x".repeat(10_000) + "/";
        assertThat(rejection(() -> FunctionName.validate(huge)).getMessage())
                .startsWith("invalid function name \"" + "x".repeat(80) + "…\": ")
                .hasSizeLessThan(300);
    }

    // ---------------------------------------------------------------- upload file names

    @Test
    void uploadFileNames() {
        assertThat(FunctionName.fromUploadFileName("hello.zip")).isEqualTo("hello");
        assertThat(FunctionName.fromUploadFileName("HELLO.ZIP")).isEqualTo("HELLO");
        assertThat(FunctionName.fromUploadFileName("hello.Zip")).isEqualTo("hello");
        assertThat(FunctionName.fromUploadFileName("9lives.zip")).isEqualTo("9lives");
    }

    @Test
    void uploadMustBeAZip() {
        assertThat(rejection(() -> FunctionName.fromUploadFileName("hello.tar.gz")).getMessage())
                .isEqualTo("the uploaded file \"hello.tar.gz\" is not a .zip file; upload a .zip file named after "
                        + "the function (e.g. hello.zip deploys the function \"hello\")");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("hello")).getMessage())
                .startsWith("the uploaded file \"hello\" is not a .zip file");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("hello.zip.txt")).getMessage())
                .startsWith("the uploaded file \"hello.zip.txt\" is not a .zip file");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("zip")).getMessage())
                .startsWith("the uploaded file \"zip\" is not a .zip file");
    }

    @Test
    void anUploadFileNameWithADirectoryPartIsRefusedNotStripped() {
        for (String fileName : List.of("../../x.zip", "a/b.zip", "..\\x.zip", "C:\\tmp\\hello.zip", "/abs.zip",
                "hello.zip/")) {
            assertThat(rejection(() -> FunctionName.fromUploadFileName(fileName)).getMessage())
                    .isEqualTo("the uploaded file name " + DeployRejectedException.quote(fileName) + " has a directory"
                            + " part ('/' or '\\'); upload a .zip file named after the function, without a path (e.g."
                            + " hello.zip deploys the function \"hello\")");
        }
    }

    @Test
    void uploadWithoutAName() {
        assertThat(rejection(() -> FunctionName.fromUploadFileName(".zip")).getMessage())
                .isEqualTo("the uploaded file \".zip\" has no function name before .zip; name the zip after the "
                        + "function (e.g. hello.zip deploys the function \"hello\")");
        assertThat(rejection(() -> FunctionName.fromUploadFileName(".ZIP")).getMessage())
                .startsWith("the uploaded file \".ZIP\" has no function name before .zip");
        assertThat(rejection(() -> FunctionName.fromUploadFileName(null)).getMessage())
                .startsWith("the uploaded file has no file name; upload a .zip file named after the function");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("  ")).getMessage())
                .startsWith("the uploaded file has no file name");
    }

    @Test
    void uploadWithAnInvalidName() {
        assertThat(rejection(() -> FunctionName.fromUploadFileName("my.func.zip")).getMessage())
                .isEqualTo("invalid function name \"my.func\" (from the uploaded file \"my.func.zip\"): " + RULE
                        + "; the zip's file name without .zip is the function's name");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("..zip")).getMessage())
                .startsWith("invalid function name \".\"");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("my func.zip")).getMessage())
                .startsWith("invalid function name \"my func\"");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("-x.zip")).getMessage())
                .startsWith("invalid function name \"-x\"");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("héllo.zip")).getMessage())
                .startsWith("invalid function name \"héllo\"");
        assertThat(rejection(() -> FunctionName.fromUploadFileName("a".repeat(65) + ".zip")).getMessage())
                .startsWith("invalid function name \"" + "a".repeat(65) + "\"");
    }
}

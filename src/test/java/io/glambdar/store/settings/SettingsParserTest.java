package io.glambdar.store.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.glambdar.function.AsyncPolicy;
import io.glambdar.function.FunctionSettings;
import io.glambdar.function.ScheduleSettings;
import io.glambdar.store.DeployRejectedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsParserTest {

    /** Fixed limits so that messages do not depend on the test machine's CPU count. */
    private static final SettingsLimits LIMITS = new SettingsLimits(Duration.ofSeconds(900), 64, 16384, 4);
    private final SettingsParser parser = new SettingsParser(LIMITS);

    private FunctionSettings parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private String rejection(String json) {
        DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class, () -> parse(json));
        assertThat(e).as("expected %s to be rejected", json).isNotNull();
        assertThat(e.reason()).isEqualTo(DeployRejectedException.Reason.BAD_REQUEST);
        assertThat(e.getMessage()).startsWith("glambdar.json: ").doesNotContain("Exception")
                .doesNotContain("com.fasterxml").doesNotContain("[Source");
        return e.getMessage();
    }

    // ---------------------------------------------------------------- valid settings

    @Nested
    class Valid {

        @Test
        void emptyObjectGivesTheDefaults() {
            assertThat(parse("{}")).isEqualTo(FunctionSettings.DEFAULTS);
            assertThat(parse(" \n{ }\n")).isEqualTo(FunctionSettings.DEFAULTS);
        }

        @Test
        void everything() {
            FunctionSettings s = parse("""
                    {
                      "timeout": 10,
                      "memory": 256,
                      "cpus": 1.5,
                      "env": {"API_URL": "https://example.com", "RETRIES": 3, "RATIO": 0.25, "DEBUG": true,
                              "_x": "", "lower_Case9": "v"},
                      "reuse": true
                    }
                    """);

            assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(s.memoryMb()).isEqualTo(256);
            assertThat(s.cpus()).isEqualTo(1.5);
            assertThat(s.env()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "API_URL", "https://example.com", "RETRIES", "3", "RATIO", "0.25", "DEBUG", "true",
                    "_x", "", "lower_Case9", "v"));
            assertThat(s.reuse()).isTrue();
        }

        @Test
        void missingKeysTakeTheirDefaults() {
            FunctionSettings s = parse("{\"memory\": 512}");

            assertThat(s).isEqualTo(new FunctionSettings(Duration.ofSeconds(30), 512, 0.5, Map.of(), null, null));
        }

        @Test
        void fractionalTimeoutsBecomeMilliseconds() {
            assertThat(parse("{\"timeout\": 2.5}").timeout()).isEqualTo(Duration.ofMillis(2500));
            assertThat(parse("{\"timeout\": 0.001}").timeout()).isEqualTo(Duration.ofMillis(1));
            assertThat(parse("{\"timeout\": 1.2345}").timeout()).isEqualTo(Duration.ofMillis(1235));
            assertThat(parse("{\"timeout\": 0.0000001}").timeout()).as("rounded up, never 0")
                    .isEqualTo(Duration.ofMillis(1));
            assertThat(parse("{\"timeout\": 1e1}").timeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(parse("{\"timeout\": 900}").timeout()).isEqualTo(Duration.ofSeconds(900));
            assertThat(parse("{\"timeout\": 899.9999}").timeout()).isEqualTo(Duration.ofSeconds(900));
        }

        @Test
        void boundsAreInclusive() {
            assertThat(parse("{\"memory\": 64}").memoryMb()).isEqualTo(64);
            assertThat(parse("{\"memory\": 16384}").memoryMb()).isEqualTo(16384);
            assertThat(parse("{\"memory\": 256.0}").memoryMb()).as("a whole number written with .0").isEqualTo(256);
            assertThat(parse("{\"memory\": 2.56e2}").memoryMb()).isEqualTo(256);
            assertThat(parse("{\"cpus\": 0.01}").cpus()).isEqualTo(0.01);
            assertThat(parse("{\"cpus\": 4}").cpus()).isEqualTo(4.0);
        }

        @Test
        void envValuesAreConvertedToStrings() {
            FunctionSettings s = parse("""
                    {"env": {"INT": 42, "NEG": -7, "FLOAT": 1.50, "EXP": 1e3, "SMALL": 2.5E-3, "BIG": 123456789012345678901234567890,
                             "T": true, "F": false, "S": "text with \\"quotes\\" and ünïcode", "EMPTY": ""}}
                    """);

            assertThat(s.env()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "INT", "42", "NEG", "-7", "FLOAT", "1.5", "EXP", "1000", "SMALL", "0.0025",
                    "BIG", "123456789012345678901234567890", "T", "true", "F", "false",
                    "S", "text with \"quotes\" and ünïcode", "EMPTY", ""));
        }

        @Test
        void reuseFalseAndNull() {
            assertThat(parse("{\"reuse\": false}").reuse()).isFalse();
            assertThat(parse("{\"reuse\": null}").reuse()).as("null: the server's default").isNull();
        }

        @Test
        void concurrencyIsAWholeNumberOrNull() {
            assertThat(parse("{\"concurrency\": 3}").concurrency()).isEqualTo(3);
            assertThat(parse("{\"concurrency\": 2.0}").concurrency()).isEqualTo(2);
            assertThat(parse("{\"concurrency\": null}").concurrency()).as("null: no limit of its own").isNull();
            assertThat(parse("{}").concurrency()).isNull();
        }

        @Test
        void tmpAndPublic() {
            FunctionSettings s = parse("{\"memory\": 256, \"tmp\": 200, \"public\": true}");

            assertThat(s).isEqualTo(new FunctionSettings(Duration.ofSeconds(30), 256, 0.5, Map.of(), null, null, 200,
                    true));
            assertThat(parse("{\"public\": false}").isPublic()).isFalse();
        }

        @Test
        void tmpAndPublicDefaultTo64MbAndNotPublic() {
            FunctionSettings s = parse("{\"memory\": 512}");

            assertThat(s.tmpMb()).isEqualTo(64);
            assertThat(s.isPublic()).isFalse();
            assertThat(FunctionSettings.DEFAULTS.tmpMb()).isEqualTo(64);
            assertThat(FunctionSettings.DEFAULTS.isPublic()).isFalse();
        }

        @Test
        void tmpIsAWholeNumberFrom1UpToAllOfMemory() {
            assertThat(parse("{\"tmp\": 1}").tmpMb()).isEqualTo(1);
            assertThat(parse("{\"tmp\": 8.0}").tmpMb()).as("a whole number written with .0").isEqualTo(8);
            assertThat(parse("{\"tmp\": 128}").tmpMb()).as("all of the default memory").isEqualTo(128);
            assertThat(parse("{\"memory\": 64, \"tmp\": 64}").tmpMb()).isEqualTo(64);
            assertThat(parse("{\"tmp\": 1024, \"memory\": 1024}").tmpMb()).as("whatever the order of the keys")
                    .isEqualTo(1024);
        }

        @Test
        void theDefaultTmpShrinksToFitUnderLimitsThatAllowLessMemory() {
            SettingsParser tiny = new SettingsParser(new SettingsLimits(Duration.ofSeconds(900), 16, 16384, 4));

            assertThat(tiny.parse("{\"memory\": 32}".getBytes(StandardCharsets.UTF_8)).tmpMb()).isEqualTo(32);
            assertThat(tiny.parse("{}".getBytes(StandardCharsets.UTF_8)).tmpMb()).isEqualTo(64);
        }

        @Test
        void utf8ByteOrderMarkIsAccepted() {
            byte[] json = "\uFEFF{\"memory\": 100}".getBytes(StandardCharsets.UTF_8);

            assertThat(parser.parse(json).memoryMb()).isEqualTo(100);
        }
    }

    // ---------------------------------------------------------------- invalid settings

    @Nested
    class Invalid {

        @Test
        void aNearMissOfASettingIsATypoRefusedWithWhatItMeant() {
            assertThat(rejection("{\"timout\": 10}")).isEqualTo("glambdar.json: unknown setting \"timout\"; did you"
                    + " mean \"timeout\"? allowed settings: timeout, memory, cpus, env, reuse, concurrency, tmp, public,"
                    + " async, schedules");
            assertThat(rejection("{\"Timeout\": 10}")).startsWith("glambdar.json: unknown setting \"Timeout\"; did you"
                    + " mean \"timeout\"?");
            assertThat(rejection("{\"cpu\": 1}")).contains("did you mean \"cpus\"?");
            assertThat(rejection("{\"memroy\": 256}")).contains("did you mean \"memory\"?");
            assertThat(rejection("{\"schedule\": []}")).contains("did you mean \"schedules\"?");
            assertThat(rejection("{\"ENV\": {}}")).contains("did you mean \"env\"?");
        }

        @Test
        void aKeyThatIsNoSettingAtAllIsSomeoneElsesAndIgnored() {
            FunctionSettings settings = parser.parse(("{\"memory\": 256, \"name\": \"hello\", \"description\": \"x\","
                    + " \"handler\": \"index.handler\", \"runtime\": \"nodejs22.x\", \"version\": \"1.0.0\"}")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(settings.memoryMb()).isEqualTo(256);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "0.0", "900.001", "901", "1e9", "\"10\"", "\"10s\"", "true", "null",
                "[10]", "{}"})
        void badTimeout(String value) {
            assertThat(rejection("{\"timeout\": " + value + "}")).startsWith(
                    "glambdar.json: \"timeout\" must be a number of seconds greater than 0 and at most 900 "
                            + "(e.g. 10 or 2.5), got ");
        }

        @Test
        void badTimeoutShowsWhatItGot() {
            assertThat(rejection("{\"timeout\": \"10s\"}")).endsWith(", got \"10s\"");
            assertThat(rejection("{\"timeout\": -1.50}")).endsWith(", got -1.5");
            assertThat(rejection("{\"timeout\": [1]}")).endsWith(", got an array");
            assertThat(rejection("{\"timeout\": {}}")).endsWith(", got an object");
            assertThat(rejection("{\"timeout\": null}")).endsWith(", got null");
            assertThat(rejection("{\"timeout\": 1e999999999}")).endsWith(", got 1E+999999999");
        }

        @ParameterizedTest
        @ValueSource(strings = {"63", "16385", "0", "-128", "128.5", "1e30", "1e999999999", "\"128\"", "\"lots\"",
                "false", "null", "[]"})
        void badMemory(String value) {
            assertThat(rejection("{\"memory\": " + value + "}")).startsWith(
                    "glambdar.json: \"memory\" must be a whole number of megabytes from 64 to 16384, got ");
        }

        @Test
        void badMemoryExample() {
            assertThat(rejection("{\"memory\": \"lots\"}")).isEqualTo(
                    "glambdar.json: \"memory\" must be a whole number of megabytes from 64 to 16384, got \"lots\"");
            assertThat(rejection("{\"memory\": 128.5}")).endsWith("got 128.5");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "0.009", "-1", "4.01", "5", "\"1\"", "true", "null", "{}"})
        void badCpus(String value) {
            assertThat(rejection("{\"cpus\": " + value + "}")).startsWith(
                    "glambdar.json: \"cpus\" must be a number of CPU cores from 0.01 to 4 (e.g. 0.5), got ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "\"A=1\"", "1", "true", "null"})
        void envMustBeAnObject(String value) {
            assertThat(rejection("{\"env\": " + value + "}")).startsWith(
                    "glambdar.json: \"env\" must be an object of environment variables such as "
                            + "{\"API_URL\": \"https://example.com\"}, got ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"1ABC", "A-B", "A B", "A=B", "", "É", "A.B", "A\\u0000"})
        void badEnvNames(String name) {
            assertThat(rejection("{\"env\": {\"" + name + "\": \"v\"}}")).startsWith(
                    "glambdar.json: \"env\" has an invalid variable name ").endsWith(
                    ": names are letters (a-z, A-Z), digits and '_', not starting with a digit");
        }

        @Test
        void badEnvNameIsQuoted() {
            assertThat(rejection("{\"env\": {\"A-B\": \"v\"}}")).startsWith(
                    "glambdar.json: \"env\" has an invalid variable name \"A-B\":");
        }

        @ParameterizedTest
        @ValueSource(strings = {"GLAMBDAR_", "GLAMBDAR_DIR", "GLAMBDAR_SOCKET"})
        void reservedEnvNames(String name) {
            assertThat(rejection("{\"env\": {\"" + name + "\": \"v\"}}")).isEqualTo(
                    "glambdar.json: \"env\" variable \"" + name + "\" is not allowed: names starting with "
                            + "GLAMBDAR_ are reserved for the runtime");
        }

        @Test
        void namesMerelyContainingGlambdarAreFine() {
            assertThat(parse("{\"env\": {\"MY_GLAMBDAR_X\": \"1\", \"GLAMBDAR\": \"2\", \"glambdar_x\": \"3\"}}")
                    .env()).containsOnlyKeys("MY_GLAMBDAR_X", "GLAMBDAR", "glambdar_x");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"null|null", "{}|an object", "[\"a\"]|an array"})
        void badEnvValues(String value, String described) {
            assertThat(rejection("{\"env\": {\"X\": " + value + "}}")).isEqualTo(
                    "glambdar.json: \"env\" variable \"X\" must be a string, number or boolean, got " + described);
        }

        @Test
        void envValueWithNul() {
            assertThat(rejection("{\"env\": {\"X\": \"a\\u0000b\"}}")).isEqualTo(
                    "glambdar.json: \"env\" variable \"X\" must not contain NUL characters (\\u0000)");
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"true\"", "1", "0", "\"yes\"", "{}"})
        void badReuse(String value) {
            assertThat(rejection("{\"reuse\": " + value + "}")).startsWith(
                    "glambdar.json: \"reuse\" must be true or false (or null for the server's default), got ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "1.5", "10001", "\"2\"", "true", "[]"})
        void badConcurrency(String value) {
            assertThat(rejection("{\"concurrency\": " + value + "}")).startsWith(
                    "glambdar.json: \"concurrency\" must be a whole number of invocations at once from 1 to 10000"
                            + " (or null for no limit of its own), got ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "1.5", "0.5", "\"8\"", "\"8m\"", "true", "null", "[]", "{}"})
        void badTmp(String value) {
            assertThat(rejection("{\"tmp\": " + value + "}")).startsWith(
                    "glambdar.json: \"tmp\" must be a whole number of megabytes for /tmp, from 1 to the function's"
                            + " \"memory\" (128 MB), got ");
        }

        @Test
        void tmpZeroSaysWhatItGot() {
            assertThat(rejection("{\"tmp\": 0, \"memory\": 256}")).isEqualTo(
                    "glambdar.json: \"tmp\" must be a whole number of megabytes for /tmp, from 1 to the function's"
                            + " \"memory\" (256 MB), got 0");
        }

        @Test
        void tmpOverMemorySaysWhatToFix() {
            assertThat(rejection("{\"memory\": 256, \"tmp\": 512}")).isEqualTo(
                    "glambdar.json: \"tmp\" is 512 MB, more than the function's \"memory\" of 256 MB: /tmp is"
                            + " memory of the container and lives inside \"memory\", so lower \"tmp\" to at most 256,"
                            + " or raise \"memory\" to at least 512");
            assertThat(rejection("{\"tmp\": 129}")).as("against the default memory").isEqualTo(
                    "glambdar.json: \"tmp\" is 129 MB, more than the function's \"memory\" of 128 MB (the default):"
                            + " /tmp is memory of the container and lives inside \"memory\", so lower \"tmp\" to at"
                            + " most 128, or raise \"memory\" to at least 129");
            assertThat(rejection("{\"tmp\": 1e30}")).startsWith("glambdar.json: \"tmp\" is 1000000000000000000000000000000 MB");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"\"yes\"|\"yes\"", "\"true\"|\"true\"", "1|1", "0|0", "null|null",
                "{}|an object", "[true]|an array"})
        void badPublic(String value, String described) {
            assertThat(rejection("{\"public\": " + value + "}")).isEqualTo(
                    "glambdar.json: \"public\" must be true (anyone may invoke the function without a key) or false"
                            + " (the default), got " + described);
        }

        @Test
        void duplicateKeys() {
            assertThat(rejection("{\"timeout\": 10,\n \"timeout\": 20}")).isEqualTo(
                    "glambdar.json: duplicate key \"timeout\" at line 2, column 11; each key may appear only once");
            assertThat(rejection("{\"env\": {\"A\": \"1\", \"A\": \"2\"}}"))
                    .startsWith("glambdar.json: duplicate key \"A\" at line 1, column ");
        }

        @Test
        void invalidJsonGivesLineAndColumn() {
            assertThat(rejection("{\n  \"timeout\": 10,\n}")).startsWith("glambdar.json: invalid JSON at line 3, column 1: ");
            assertThat(rejection("{\"timeout\": 10")).startsWith("glambdar.json: invalid JSON at line 1, column ");
            assertThat(rejection("{'timeout': 10}")).startsWith("glambdar.json: invalid JSON at line 1, column 2: ");
            assertThat(rejection("{\"timeout\": 10 // comment\n}")).isEqualTo("glambdar.json: invalid JSON at "
                    + "line 1, column 16: Unexpected character ('/' (code 47)): maybe a (non-standard) comment?");
            assertThat(rejection("{\"timeout\": NaN}"))
                    .isEqualTo("glambdar.json: invalid JSON at line 1, column 16: Non-standard token 'NaN'");
            assertThat(rejection("{\"timeout\": 10")).isEqualTo("glambdar.json: invalid JSON at line 1, column 15: "
                    + "Unexpected end-of-input: expected close marker for Object");
            assertThat(rejection("{\"timeout\": 010}")).startsWith("glambdar.json: invalid JSON at line 1");
        }

        @Test
        void invalidUtf8() {
            DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class,
                    () -> parser.parse(new byte[] {'{', '"', 'a', (byte) 0xff, '"', ':', '1', '}'}));

            assertThat(e.getMessage()).startsWith("glambdar.json: invalid JSON at line 1");
        }

        @Test
        void trailingContent() {
            assertThat(rejection("{} {}")).isEqualTo("glambdar.json: unexpected content after the JSON object at "
                    + "line 1, column 4; the file must hold exactly one JSON object");
            assertThat(rejection("{}\n]")).startsWith("glambdar.json: ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"[]", "[{\"timeout\": 10}]", "\"timeout\"", "10", "true", "null"})
        void notAnObject(String json) {
            assertThat(rejection(json)).startsWith(
                    "glambdar.json: must be a JSON object such as {\"timeout\": 10, \"memory\": 256}, got ");
        }

        @Test
        void notAnObjectSaysWhatItGot() {
            assertThat(rejection("[1]")).endsWith("got an array");
            assertThat(rejection("42")).endsWith("got 42");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\n\n"})
        void empty(String json) {
            assertThat(rejection(json)).isEqualTo("glambdar.json: the file is empty; it must be a JSON object such "
                    + "as {\"timeout\": 10, \"memory\": 256}");
        }

        @Test
        void firstProblemIsReportedAndTheKeyIsNamed() {
            assertThat(rejection("{\"memory\": 1, \"cpus\": 100}")).contains("\"memory\"").doesNotContain("\"cpus\"");
        }
    }

    // ---------------------------------------------------------------- limits

    @Test
    void limitsAreConfigurable() {
        SettingsParser small = new SettingsParser(new SettingsLimits(Duration.ofMillis(2500), 128, 256, 1.5));

        assertThat(small.parse("{\"timeout\": 2.5, \"memory\": 256, \"cpus\": 1.5}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new FunctionSettings(Duration.ofMillis(2500), 256, 1.5, Map.of(), null, null));
        DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class,
                () -> small.parse("{\"timeout\": 2.6}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.getMessage()).contains("at most 2.5 ");
        e = catchThrowableOfType(DeployRejectedException.class,
                () -> small.parse("{\"cpus\": 2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.getMessage()).contains("from 0.01 to 1.5 ");
    }

    @Test
    void defaultLimits() {
        SettingsLimits defaults = SettingsLimits.defaults();

        assertThat(defaults.maxTimeout()).isEqualTo(Duration.ofSeconds(900));
        assertThat(defaults.minMemoryMb()).isEqualTo(64);
        assertThat(defaults.maxMemoryMb()).isEqualTo(16384);
        assertThat(defaults.maxCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(new SettingsParser().limits()).isEqualTo(defaults);
        assertThat(new SettingsParser().parse("{}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(FunctionSettings.DEFAULTS);
    }

    @Test
    void theServersMemoryBudgetCapsWhatAFunctionMayAskFor() {
        SettingsParser budgeted = new SettingsParser(SettingsLimits.forMemoryBudget(3072));

        assertThat(budgeted.parse("{\"memory\": 3072}".getBytes(StandardCharsets.UTF_8)).memoryMb()).isEqualTo(3072);
        DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class,
                () -> budgeted.parse("{\"memory\": 4096}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.getMessage()).isEqualTo("glambdar.json: \"memory\" must be a whole number of megabytes from 64 to"
                + " 3072 (this server's memory for all functions together, GLAMBDAR_MAX_MEMORY_MB), got 4096");
        // A budget above the largest container any function may have changes nothing.
        assertThat(SettingsLimits.forMemoryBudget(65_536))
                .isEqualTo(SettingsLimits.defaults())
                .extracting(SettingsLimits::maxMemoryIsBudget).isEqualTo(false);
        assertThatThrownBy(() -> SettingsLimits.forMemoryBudget(32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GLAMBDAR_MAX_MEMORY_MB");
    }

    @Test
    void aFunctionLeftAtTheDefaultMemoryIsRefusedByAServerWhoseWholeBudgetIsSmaller(@TempDir Path noSettings)
            throws IOException {
        SettingsParser budgeted = new SettingsParser(SettingsLimits.forMemoryBudget(100));
        String expected = "glambdar.json: \"memory\" is not set, so the function gets the default of 128 MB, more than"
                + " this server's memory for all functions together (GLAMBDAR_MAX_MEMORY_MB is 100 MB), so it could"
                + " never run; set \"memory\" to at most 100 in glambdar.json, or raise GLAMBDAR_MAX_MEMORY_MB to at"
                + " least 128";

        assertThatThrownBy(() -> budgeted.readFrom(noSettings)).as("no glambdar.json at all")
                .isInstanceOf(DeployRejectedException.class).hasMessage(expected);
        assertThatThrownBy(() -> budgeted.parse("{\"timeout\": 5}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DeployRejectedException.class).hasMessage(expected);
        assertThat(budgeted.parse("{\"memory\": 100}".getBytes(StandardCharsets.UTF_8)).memoryMb()).isEqualTo(100);
        assertThat(new SettingsParser(SettingsLimits.forMemoryBudget(128)).readFrom(noSettings))
                .isSameAs(FunctionSettings.DEFAULTS);
    }

    @Test
    void nonsensicalLimitsAreRefused() {
        assertThatThrownBy(() -> new SettingsLimits(Duration.ZERO, 64, 128, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SettingsLimits(Duration.ofSeconds(1), 128, 64, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SettingsLimits(Duration.ofSeconds(1), 64, 128, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SettingsLimits(Duration.ofSeconds(1), 64, 128, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- reading the file

    @Nested
    class Async {

        @Test
        void defaultsWhenAbsent() {
            assertThat(parse("{}").async()).isEqualTo(AsyncPolicy.DEFAULTS);
            assertThat(AsyncPolicy.DEFAULTS).isEqualTo(
                    new AsyncPolicy(2, Duration.ofSeconds(60), Duration.ofSeconds(21_600)));
        }

        @Test
        void everyKeyWithFractions() {
            assertThat(parse("{\"async\": {\"retries\": 0, \"retryDelaySeconds\": 0.25, \"maxAgeSeconds\": 1.5}}")
                    .async()).isEqualTo(new AsyncPolicy(0, Duration.ofMillis(250), Duration.ofMillis(1500)));
            assertThat(parse("{\"async\": {\"retries\": 10}}").async())
                    .isEqualTo(new AsyncPolicy(10, Duration.ofSeconds(60), Duration.ofSeconds(21_600)));
            assertThat(parse("{\"async\": {\"retryDelaySeconds\": 0}}").async().retryDelay()).isZero();
        }

        @ParameterizedTest
        @ValueSource(strings = {"-1", "11", "1.5", "\"2\"", "true", "null"})
        void badRetries(String value) {
            assertThat(rejection("{\"async\": {\"retries\": " + value + "}}"))
                    .startsWith("glambdar.json: \"async\".retries must be a whole number of retries from 0 to 10");
        }

        @ParameterizedTest
        @ValueSource(strings = {"-0.1", "86401", "\"60\"", "null"})
        void badRetryDelay(String value) {
            assertThat(rejection("{\"async\": {\"retryDelaySeconds\": " + value + "}}"))
                    .startsWith("glambdar.json: \"async\".retryDelaySeconds must be a number of seconds");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-5", "604801", "\"1h\"", "[]"})
        void badMaxAge(String value) {
            assertThat(rejection("{\"async\": {\"maxAgeSeconds\": " + value + "}}"))
                    .startsWith("glambdar.json: \"async\".maxAgeSeconds must be a number of seconds greater than 0");
        }

        @Test
        void notAnObjectOrUnknownKey() {
            assertThat(rejection("{\"async\": true}")).startsWith("glambdar.json: \"async\" must be an object");
            assertThat(rejection("{\"async\": {\"retry\": 1}}"))
                    .isEqualTo("glambdar.json: \"async\" has an unknown setting \"retry\"; allowed: retries,"
                            + " retryDelaySeconds, maxAgeSeconds");
        }

        @Test
        void roundTripsThroughTheStoredForm() {
            FunctionSettings s = parse("{\"async\": {\"retries\": 3, \"retryDelaySeconds\": 0.2,"
                    + " \"maxAgeSeconds\": 7200}}");
            assertThat(SettingsParser.fromStoredJson(SettingsParser.toJson(s))).isEqualTo(s);
        }

        @Test
        void storedRowsWithoutAsyncTakeTheDefaults() {
            assertThat(SettingsParser.fromStoredJson("{\"timeout\":30.0}").async()).isEqualTo(AsyncPolicy.DEFAULTS);
        }
    }

    @Nested
    class Schedules {

        @Test
        void noneWhenAbsent() {
            assertThat(parse("{}").schedules()).isEmpty();
            assertThat(parse("{\"schedules\": []}").schedules()).isEmpty();
        }

        @Test
        void defaultsAreUtcAndAnEmptyObject() {
            assertThat(parse("{\"schedules\": [{\"cron\": \"0 3 * * *\"}]}").schedules())
                    .containsExactly(new ScheduleSettings("0 3 * * *", "UTC", "{}"));
        }

        @Test
        void everyFormWithItsZoneAndBody() {
            FunctionSettings s = parse("""
                    {"schedules": [
                      {"cron": "0 3 * * *", "timezone": "Europe/Berlin", "body": {"job": "nightly", "n": [1, 2]}},
                      {"cron": "@weekly", "timezone": "America/New_York"},
                      {"cron": " @every 30s "},
                      {"cron": "*/15 9-17 * * 1-5", "body": [1, "two"]}
                    ]}""");
            assertThat(s.schedules()).containsExactly(
                    new ScheduleSettings("0 3 * * *", "Europe/Berlin", "{\"job\":\"nightly\",\"n\":[1,2]}"),
                    new ScheduleSettings("@weekly", "America/New_York", "{}"),
                    new ScheduleSettings("@every 30s", "UTC", "{}"),
                    new ScheduleSettings("*/15 9-17 * * 1-5", "UTC", "[1,\"two\"]"));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "\"text\"      | \"text\"",
                "42            | 42",
                "-1.5          | -1.5",
                "true          | true",
                "null          | null",
                "[]            | []",
                "{\"a\": {}}     | {\"a\":{}}"})
        void bodyIsAnyJson(String body, String sent) {
            assertThat(parse("{\"schedules\": [{\"cron\": \"@hourly\", \"body\": " + body + "}]}").schedules()
                    .getFirst().body()).isEqualTo(sent);
        }

        @ParameterizedTest
        @ValueSource(strings = {"61 * * * *", "0 3 * *", "whenever", "0 0 30 2 *"})
        void invalidCronNamesTheEntry(String cron) {
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\"}, {\"cron\": \"" + cron + "\"}]}"))
                    .startsWith("glambdar.json: \"schedules\"[1].cron \"" + cron + "\" is not valid: ");
        }

        @Test
        void everyZeroSeconds() {
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@every 0s\"}]}"))
                    .isEqualTo("glambdar.json: \"schedules\"[0].cron \"@every 0s\" is not valid: @every needs a"
                            + " period of at least 1s, e.g. \"@every 30s\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0 0 12 * * MON", "0 0 12 ? * MON", "0 0 12 ? * MON 2026"})
        void sixFieldAndQuartzAreRefused(String cron) {
            assertThat(rejection("{\"schedules\": [{\"cron\": \"" + cron + "\"}]}"))
                    .startsWith("glambdar.json: \"schedules\"[0].cron \"" + cron + "\" is not valid: a cron"
                            + " expression has 5 fields")
                    .contains("six-field (seconds) and Quartz expressions are not supported");
        }

        @Test
        void missingOrBlankOrNotTextCron() {
            for (String entry : new String[]{"{}", "{\"cron\": \"  \"}", "{\"cron\": 5}", "{\"cron\": null}"}) {
                assertThat(rejection("{\"schedules\": [" + entry + "]}"))
                        .startsWith("glambdar.json: \"schedules\"[0].cron must be a cron expression such as");
            }
        }

        @Test
        void unknownTimeZoneIsNamed() {
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\", \"timezone\": \"Mars/Base\"}]}"))
                    .isEqualTo("glambdar.json: \"schedules\"[0].timezone must be an IANA time zone such as"
                            + " \"Europe/Berlin\" or \"UTC\", got the unknown time zone \"Mars/Base\"");
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\", \"timezone\": 1}]}"))
                    .endsWith("got 1");
        }

        /** EST, MST and HST are IANA names that Java's own table leaves out; the legacy IANA names are kept too. */
        @ParameterizedTest
        @ValueSource(strings = {"EST", "MST", "HST", "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT", "Etc/GMT+5", "UTC",
                "GMT", "US/Eastern"})
        void everyIanaTimeZoneNameIsAccepted(String zone) {
            assertThat(parse("{\"schedules\": [{\"cron\": \"@daily\", \"timezone\": \"" + zone + "\"}]}")
                    .schedules().getFirst().timezone()).isEqualTo(zone);
        }

        /** Java's short aliases that are no IANA names, offsets, and names in the wrong case are refused. */
        @ParameterizedTest
        @ValueSource(strings = {"PST", "IST", "CST", "+05:00", "UTC+5", "Z", "est", "europe/berlin"})
        void namesThatAreNotIanaTimeZonesAreRefused(String zone) {
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\", \"timezone\": \"" + zone + "\"}]}"))
                    .endsWith("got the unknown time zone \"" + zone + "\"");
        }

        @Test
        void aNullTimeZoneIsUtcAsWhenAbsent() {
            assertThat(parse("{\"schedules\": [{\"cron\": \"@daily\", \"timezone\": null}]}").schedules())
                    .containsExactly(new ScheduleSettings("@daily", "UTC", "{}"));
        }

        @Test
        void tooManyEntries() {
            String entries = String.join(", ", Collections.nCopies(SettingsParser.MAX_SCHEDULES + 1,
                    "{\"cron\": \"@daily\"}"));
            assertThat(rejection("{\"schedules\": [" + entries + "]}")).isEqualTo("glambdar.json: \"schedules\" has "
                    + (SettingsParser.MAX_SCHEDULES + 1) + " entries; at most " + SettingsParser.MAX_SCHEDULES
                    + " are allowed");
            String most = String.join(", ", Collections.nCopies(SettingsParser.MAX_SCHEDULES,
                    "{\"cron\": \"@daily\"}"));
            assertThat(parse("{\"schedules\": [" + most + "]}").schedules()).hasSize(SettingsParser.MAX_SCHEDULES);
        }

        @Test
        void notAnArrayOrNotAnObjectOrUnknownKey() {
            assertThat(rejection("{\"schedules\": {\"cron\": \"@daily\"}}"))
                    .startsWith("glambdar.json: \"schedules\" must be an array such as");
            assertThat(rejection("{\"schedules\": [\"@daily\"]}"))
                    .startsWith("glambdar.json: \"schedules\"[0] must be an object such as");
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\", \"tz\": \"UTC\"}]}"))
                    .isEqualTo("glambdar.json: \"schedules\"[0] has an unknown setting \"tz\"; allowed: cron,"
                            + " timezone, body");
        }

        @Test
        void bodyTooLarge() {
            String big = "\"" + "x".repeat(16 * 1024) + "\"";
            assertThat(rejection("{\"schedules\": [{\"cron\": \"@daily\", \"body\": " + big + "}]}"))
                    .isEqualTo("glambdar.json: \"schedules\"[0].body is larger than 16 KiB");
        }

        @Test
        void roundTripsThroughTheStoredForm() {
            FunctionSettings s = parse("{\"schedules\": [{\"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\","
                    + " \"body\": {\"a\": [1, null]}}, {\"cron\": \"@every 1s\", \"body\": \"hi\"}]}");
            assertThat(SettingsParser.fromStoredJson(SettingsParser.toJson(s))).isEqualTo(s);
        }
    }

    @Nested
    class ReadFrom {

        @TempDir
        Path dir;

        @Test
        void absentFileMeansDefaults() throws IOException {
            assertThat(parser.readFrom(dir)).isSameAs(FunctionSettings.DEFAULTS);
        }

        @Test
        void presentFileIsParsed() throws IOException {
            Files.writeString(dir.resolve("glambdar.json"), "{\"timeout\": 5, \"env\": {\"A\": 1}}");

            assertThat(parser.readFrom(dir))
                    .isEqualTo(new FunctionSettings(Duration.ofSeconds(5), 128, 0.5, Map.of("A", "1"), null, null));
        }

        @Test
        void invalidFileIsRejected() throws IOException {
            Files.writeString(dir.resolve("glambdar.json"), "{\"memory\": \"lots\"}");

            assertThatThrownBy(() -> parser.readFrom(dir)).isInstanceOf(DeployRejectedException.class)
                    .hasMessageStartingWith("glambdar.json: \"memory\" must be");
        }

        @Test
        void symlinkToAFileInsideIsRead() throws IOException {
            Files.writeString(Files.createDirectory(dir.resolve("config")).resolve("real.json"), "{\"timeout\": 7}");
            Files.createSymbolicLink(dir.resolve("glambdar.json"), Path.of("config/real.json"));

            assertThat(parser.readFrom(dir).timeout()).isEqualTo(Duration.ofSeconds(7));
        }

        @Test
        void symlinkLeadingOutOfTheFolderIsRejected(@TempDir Path elsewhere) throws IOException {
            Files.createDirectory(dir.resolve("code"));
            Files.writeString(dir.resolve("outside.json"), "{}");
            Files.createSymbolicLink(dir.resolve("code/glambdar.json"), Path.of("../outside.json"));
            Path absolute = Files.writeString(elsewhere.resolve("real.json"), "{}");
            Files.createSymbolicLink(dir.resolve("glambdar.json"), absolute);

            for (Path codeDir : List.of(dir.resolve("code"), dir)) {
                assertThatThrownBy(() -> parser.readFrom(codeDir)).isInstanceOf(DeployRejectedException.class)
                        .hasMessage("glambdar.json: is a symbolic link that leads outside the function's folder;"
                                + " it must lead to a regular file inside it");
            }
        }

        @Test
        void danglingSymlinkIsRejected() throws IOException {
            Files.createSymbolicLink(dir.resolve("glambdar.json"), dir.resolve("nowhere"));

            assertThatThrownBy(() -> parser.readFrom(dir)).isInstanceOf(DeployRejectedException.class)
                    .hasMessage("glambdar.json: is a symbolic link that leads nowhere; it must lead to a regular file"
                            + " inside the function's folder");
        }

        @Test
        void symlinkToAFolderIsRejected() throws IOException {
            Files.createDirectory(dir.resolve("sub"));
            Files.createSymbolicLink(dir.resolve("glambdar.json"), Path.of("sub"));

            assertThatThrownBy(() -> parser.readFrom(dir)).isInstanceOf(DeployRejectedException.class)
                    .hasMessage("glambdar.json: must be a regular file, not a folder");
        }

        @Test
        void folderIsRejected() throws IOException {
            Files.createDirectory(dir.resolve("glambdar.json"));

            assertThatThrownBy(() -> parser.readFrom(dir)).isInstanceOf(DeployRejectedException.class)
                    .hasMessage("glambdar.json: must be a regular file, not a folder");
        }

        @Test
        void largeFileIsRejected() throws IOException {
            String padding = " ".repeat(SettingsParser.MAX_FILE_BYTES);
            Files.writeString(dir.resolve("glambdar.json"), "{}" + padding);

            DeployRejectedException e = catchThrowableOfType(DeployRejectedException.class, () -> parser.readFrom(dir));
            assertThat(e.reason()).isEqualTo(DeployRejectedException.Reason.BAD_REQUEST);
            assertThat(e.getMessage()).isEqualTo(
                    "glambdar.json: the file is larger than 64 KiB; it only holds a few settings");
        }

        @Test
        void exactly64KiBIsFine() throws IOException {
            String json = "{\"memory\": 100}";
            Files.writeString(dir.resolve("glambdar.json"), json + " ".repeat(SettingsParser.MAX_FILE_BYTES - json.length()));

            assertThat(parser.readFrom(dir).memoryMb()).isEqualTo(100);
        }
    }

    // ---------------------------------------------------------------- stored form

    @Nested
    class StoredForm {

        @Test
        void defaults() {
            assertThat(SettingsParser.toJson(FunctionSettings.DEFAULTS))
                    .isEqualTo("{\"timeout\":30.0,\"memory\":128,\"cpus\":0.5,\"env\":{},\"reuse\":null,\"concurrency\":null,"
                            + "\"tmp\":64,\"public\":false,\"async\":{\"retries\":2,\"retryDelaySeconds\":60,\"maxAgeSeconds\":21600},\"schedules\":[]}");
            assertThat(SettingsParser.fromStoredJson(SettingsParser.toJson(FunctionSettings.DEFAULTS)))
                    .isEqualTo(FunctionSettings.DEFAULTS);
        }

        @Test
        void envIsSortedAndEscaped() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("Z", "last");
            env.put("A", "quote \" backslash \\ newline \n unicode ü");
            FunctionSettings s = new FunctionSettings(Duration.ofMillis(2500), 256, 2, env, true, null);

            assertThat(SettingsParser.toJson(s)).isEqualTo("{\"timeout\":2.5,\"memory\":256,\"cpus\":2.0,"
                    + "\"env\":{\"A\":\"quote \\\" backslash \\\\ newline \\n unicode ü\",\"Z\":\"last\"},"
                    + "\"reuse\":true,\"concurrency\":null,"
                    + "\"tmp\":64,\"public\":false,\"async\":{\"retries\":2,\"retryDelaySeconds\":60,\"maxAgeSeconds\":21600},\"schedules\":[]}");
        }

        @Test
        void roundTrips() {
            FunctionSettings[] samples = {
                    FunctionSettings.DEFAULTS,
                    new FunctionSettings(Duration.ofMillis(1), 64, 0.01, Map.of(), false, null),
                    new FunctionSettings(Duration.ofMillis(2500), 256, 1.5, Map.of("A", "1", "B", ""), true, null),
                    new FunctionSettings(Duration.ofSeconds(900), 16384, 64, Map.of("X", "ü\"\\\n"), null, 7),
                    new FunctionSettings(Duration.ofNanos(1), 1, 0.1 + 0.2, Map.of(), null, null),
                    new FunctionSettings(Duration.ofSeconds(123456789, 987654321), 100000, 1e-7, Map.of(), true, null),
                    new FunctionSettings(Duration.ofMillis(33), 128, 1.0 / 3, Map.of("k", "v"), false, null),
                    new FunctionSettings(Duration.ofSeconds(-1, 5), 0, Double.NaN, Map.of(), null, null),
                    new FunctionSettings(Duration.ofSeconds(5), 256, 1, Map.of(), null, null, 1, true),
                    new FunctionSettings(Duration.ofSeconds(5), 256, 1, Map.of(), true, 3, 256, false),
            };
            for (FunctionSettings s : samples) {
                String json = SettingsParser.toJson(s);
                assertThat(SettingsParser.fromStoredJson(json)).as(json).isEqualTo(s);
                assertThat(SettingsParser.toJson(SettingsParser.fromStoredJson(json))).isEqualTo(json);
            }
        }

        @Test
        void storedFormIsAValidGlambdarJson() {
            FunctionSettings s = new FunctionSettings(Duration.ofMillis(2500), 256, 1.5, Map.of("A", "1"), true, null);

            assertThat(parser.parse(SettingsParser.toJson(s).getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
            assertThat(parser.parse(SettingsParser.toJson(FunctionSettings.DEFAULTS).getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(FunctionSettings.DEFAULTS);
        }

        @Test
        void parsedSettingsRoundTrip() {
            FunctionSettings s = parse("{\"timeout\": 1.2345, \"cpus\": 0.3, \"env\": {\"N\": 1e3}, \"reuse\": false,"
                    + " \"tmp\": 16, \"public\": true}");

            assertThat(SettingsParser.fromStoredJson(SettingsParser.toJson(s))).isEqualTo(s);
        }

        @Test
        void fromStoredJsonIsLenientAboutBoundsAndMissingKeys() {
            assertThat(SettingsParser.fromStoredJson("{\"memory\":999999,\"cpus\":1000}"))
                    .isEqualTo(new FunctionSettings(Duration.ofSeconds(30), 999999, 1000, Map.of(), null, null));
            assertThat(SettingsParser.fromStoredJson("{}")).isEqualTo(FunctionSettings.DEFAULTS);
            assertThat(SettingsParser.fromStoredJson("{\"future\":1,\"timeout\":5}").timeout())
                    .isEqualTo(Duration.ofSeconds(5));
        }

        @Test
        void settingsStoredBeforeTmpAndPublicReadBackWithTheirDefaults() {
            FunctionSettings old = SettingsParser.fromStoredJson("{\"timeout\":10.0,\"memory\":256,\"cpus\":1.0,"
                    + "\"env\":{\"A\":\"1\"},\"reuse\":true,\"concurrency\":2}");

            assertThat(old).isEqualTo(new FunctionSettings(Duration.ofSeconds(10), 256, 1, Map.of("A", "1"), true, 2,
                    64, false));
        }

        @Test
        void fromStoredJsonRefusesGarbage() {
            for (String bad : new String[] {"", "[]", "{", "{\"memory\":\"x\"}", "{\"env\":{\"A\":1}}",
                    "{\"reuse\":1}", "{} {}", "{\"timeout\":\"x\"}", "{\"tmp\":0}", "{\"tmp\":\"8\"}", "{\"tmp\":1.5}",
                    "{\"public\":\"yes\"}", "{\"public\":null}"}) {
                assertThatThrownBy(() -> SettingsParser.fromStoredJson(bad)).as(bad)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}

package io.glambdar.store.settings;

import static io.glambdar.store.DeployRejectedException.quote;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.glambdar.function.AsyncPolicy;
import io.glambdar.function.FunctionSettings;
import io.glambdar.function.ScheduleSettings;
import io.glambdar.schedule.CronSchedule;
import io.glambdar.schedule.ScheduleZone;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a function's {@code glambdar.json}: its timeout, memory, CPU, environment, container reuse, concurrency, size
 * of {@code /tmp}, whether it is public, how its asynchronous invocations are retried, and its schedules.
 *
 * <pre>{@code
 * {"timeout": 10, "memory": 256, "cpus": 1, "env": {"API_URL": "https://example.com"}, "reuse": true, "tmp": 32}
 * }</pre>
 *
 * Every key is optional (a missing key takes its default from {@link FunctionSettings#DEFAULTS}); any other key, a
 * value of the wrong type or out of bounds is rejected with a message that names the key and says what is allowed.
 *
 * <p>{@link #toJson} and {@link #fromStoredJson} are the canonical stored form of settings (for the metadata
 * database); they round-trip exactly.
 */
public final class SettingsParser {

    private static final Logger log = LoggerFactory.getLogger(SettingsParser.class);

    public static final String FILE_NAME = "glambdar.json";
    /** Largest {@code glambdar.json} accepted. */
    public static final int MAX_FILE_BYTES = 64 * 1024;

    static final String TIMEOUT = "timeout";
    static final String MEMORY = "memory";
    static final String CPUS = "cpus";
    static final String ENV = "env";
    static final String REUSE = "reuse";
    static final String CONCURRENCY = "concurrency";
    static final String TMP = "tmp";
    static final String PUBLIC = "public";
    static final String ASYNC = "async";
    static final String SCHEDULES = "schedules";
    static final String RETRIES = "retries";
    static final String RETRY_DELAY = "retryDelaySeconds";
    static final String MAX_AGE = "maxAgeSeconds";
    static final String CRON = "cron";
    static final String TIMEZONE = "timezone";
    static final String BODY = "body";
    /** Most retries of an asynchronous invocation a function may ask for. */
    public static final int MAX_RETRIES = 10;
    /** Longest first retry delay: a day. */
    static final BigDecimal MAX_RETRY_DELAY_SECONDS = BigDecimal.valueOf(86_400);
    /** Longest age of an asynchronous invocation: a week, the default retention of its record. */
    static final BigDecimal MAX_AGE_SECONDS = BigDecimal.valueOf(604_800);
    /** Most schedules of one function. */
    public static final int MAX_SCHEDULES = 20;
    /** Largest body of one schedule, as JSON text. */
    static final int MAX_SCHEDULE_BODY_BYTES = 16 * 1024;
    /** Most invocations at once a function may ask for (beyond it, memory is the limit anyway). */
    public static final int MAX_CONCURRENCY = 10_000;
    private static final Set<String> KEYS =
            Set.of(TIMEOUT, MEMORY, CPUS, ENV, REUSE, CONCURRENCY, TMP, PUBLIC, ASYNC, SCHEDULES);
    private static final List<String> KEY_ORDER =
            List.of(TIMEOUT, MEMORY, CPUS, ENV, REUSE, CONCURRENCY, TMP, PUBLIC, ASYNC, SCHEDULES);
    private static final String ALLOWED_KEYS = String.join(", ", KEY_ORDER);
    private static final Set<String> ASYNC_KEYS = Set.of(RETRIES, RETRY_DELAY, MAX_AGE);
    private static final Set<String> SCHEDULE_KEYS = Set.of(CRON, TIMEZONE, BODY);
    private static final String ASYNC_EXAMPLE =
            "{\"retries\": 2, \"retryDelaySeconds\": 60, \"maxAgeSeconds\": 21600}";
    private static final String SCHEDULE_EXAMPLE =
            "[{\"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\", \"body\": {\"job\": \"nightly\"}}]";

    /** Prefix of the environment variables the runtime sets itself. */
    public static final String RESERVED_ENV_PREFIX = "GLAMBDAR_";
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DUPLICATE_KEY =
            Pattern.compile("Duplicate (?:field|Object property|property) [\"'](.*)[\"']", Pattern.DOTALL);

    private static final String PREFIX = FILE_NAME + ": ";
    private static final String EXAMPLE = "{\"timeout\": 10, \"memory\": 256}";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final SettingsLimits limits;
    private final BigDecimal maxTimeoutSeconds;
    private final BigDecimal maxCpus;

    public SettingsParser(SettingsLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.maxTimeoutSeconds = seconds(limits.maxTimeout());
        this.maxCpus = BigDecimal.valueOf(limits.maxCpus());
    }

    /** A parser with {@link SettingsLimits#defaults()}. */
    public SettingsParser() {
        this(SettingsLimits.defaults());
    }

    public SettingsLimits limits() {
        return limits;
    }

    /**
     * Reads {@code codeDir/glambdar.json} if there is one.
     *
     * @return the settings it holds, or {@link FunctionSettings#DEFAULTS} when the file does not exist
     * @throws DeployRejectedException ({@code BAD_REQUEST}) if it is not a regular file (a folder, or a symbolic link
     *                                 that does not lead to one inside {@code codeDir}), is larger than {@value #MAX_FILE_BYTES} bytes, or its content is invalid
     * @throws IOException             if reading fails for another reason
     */
    public FunctionSettings readFrom(Path codeDir) throws IOException {
        Path file = codeDir.resolve(FILE_NAME);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            defaultMemory(); // the defaults must fit this server too
            return FunctionSettings.DEFAULTS;
        }
        if (attributes.isSymbolicLink()) {
            file = linkedFileInside(codeDir, file);
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        if (!attributes.isRegularFile()) {
            throw reject("must be a regular file, not a " + (attributes.isDirectory() ? "folder" : "special file"));
        }
        byte[] content;
        if (attributes.size() > MAX_FILE_BYTES) {
            throw tooBig();
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            content = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (content.length > MAX_FILE_BYTES) {
            throw tooBig();
        }
        return parse(content);
    }

    /** Where the symbolic link {@code link} leads, refusing a target outside {@code codeDir} or none at all. */
    private static Path linkedFileInside(Path codeDir, Path link) throws IOException {
        Path target;
        try {
            target = link.toRealPath();
        } catch (FileSystemException e) { // missing, or a loop
            throw reject("is a symbolic link that leads nowhere; it must lead to a regular file inside the function's"
                    + " folder");
        }
        if (!target.startsWith(codeDir.toRealPath())) {
            throw reject("is a symbolic link that leads outside the function's folder; it must lead to a regular"
                    + " file inside it");
        }
        return target;
    }

    /** The setting {@code key} is a near miss of (same letters in another case, or at most two edits), or null. */
    static String nearestKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        String nearest = null;
        int nearestDistance = lower.length() >= 3 ? 3 : 1; // a very short key is a near miss only by its case
        for (String known : KEY_ORDER) {
            int distance = editDistance(lower, known);
            if (distance < nearestDistance) {
                nearest = known;
                nearestDistance = distance;
            }
        }
        return nearest;
    }

    /** Levenshtein distance; the keys are short. */
    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * Parses the content of a {@code glambdar.json}.
     *
     * @throws DeployRejectedException ({@code BAD_REQUEST}, message starting with {@code "glambdar.json: "}) if it is
     *                                 not a JSON object of known settings with allowed values
     */
    public FunctionSettings parse(byte[] json) {
        JsonNode root = readTree(json);
        if (root == null || root.isMissingNode()) {
            throw reject("the file is empty; it must be a JSON object such as " + EXAMPLE);
        }
        if (!root.isObject()) {
            throw reject("must be a JSON object such as " + EXAMPLE + ", got " + describe(root));
        }
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            String key = property.getKey();
            if (KEYS.contains(key)) {
                continue;
            }
            // A near miss of a setting is a typo whose value would silently not apply; a key nothing like one is
            // someone else's (a name, a description, another platform's "handler"), and is left alone.
            String meant = nearestKey(key);
            if (meant != null) {
                throw reject("unknown setting " + quote(key) + "; did you mean " + quote(meant)
                        + "? allowed settings: " + ALLOWED_KEYS);
            }
            log.info("glambdar.json: ignoring {}, which is not a setting (allowed: {})", quote(key), ALLOWED_KEYS);
        }
        FunctionSettings defaults = FunctionSettings.DEFAULTS;
        Duration timeout = root.has(TIMEOUT) ? timeout(root.get(TIMEOUT)) : defaults.timeout();
        int memory = root.has(MEMORY) ? memory(root.get(MEMORY)) : defaultMemory();
        double cpus = root.has(CPUS) ? cpus(root.get(CPUS)) : defaults.cpus();
        Map<String, String> env = root.has(ENV) ? env(root.get(ENV)) : defaults.env();
        Boolean reuse = root.has(REUSE) ? reuse(root.get(REUSE)) : defaults.reuse();
        Integer concurrency = root.has(CONCURRENCY) ? concurrency(root.get(CONCURRENCY)) : defaults.concurrency();
        // The default fits in any memory the default limits allow; under lower limits it shrinks to fit.
        int tmp = root.has(TMP) ? tmp(root.get(TMP), memory, root.has(MEMORY))
                : Math.min(defaults.tmpMb(), memory);
        boolean isPublic = root.has(PUBLIC) ? isPublic(root.get(PUBLIC)) : defaults.isPublic();
        AsyncPolicy async = root.has(ASYNC) ? async(root.get(ASYNC)) : defaults.async();
        List<ScheduleSettings> schedules = root.has(SCHEDULES) ? schedules(root.get(SCHEDULES)) : defaults.schedules();
        return new FunctionSettings(timeout, memory, cpus, env, reuse, concurrency, tmp, isPublic, async, schedules);
    }

    private Duration timeout(JsonNode value) {
        if (value.isNumber()) {
            BigDecimal seconds = value.decimalValue();
            if (seconds.signum() > 0 && seconds.compareTo(maxTimeoutSeconds) <= 0) {
                // Whole milliseconds, rounded up so that any positive value is at least 1 ms.
                long millis = seconds.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
                Duration timeout = Duration.ofMillis(millis);
                return timeout.compareTo(limits.maxTimeout()) > 0 ? limits.maxTimeout() : timeout;
            }
        }
        throw reject(quote(TIMEOUT) + " must be a number of seconds greater than 0 and at most "
                + plain(maxTimeoutSeconds) + " (e.g. 10 or 2.5), got " + describe(value));
    }

    private int memory(JsonNode value) {
        if (value.isNumber()) {
            BigDecimal mb = value.decimalValue();
            if (mb.signum() == 0 || mb.stripTrailingZeros().scale() <= 0) {
                if (mb.compareTo(BigDecimal.valueOf(limits.minMemoryMb())) >= 0
                        && mb.compareTo(BigDecimal.valueOf(limits.maxMemoryMb())) <= 0) {
                    return mb.intValueExact();
                }
            }
        }
        throw reject(quote(MEMORY) + " must be a whole number of megabytes from " + limits.minMemoryMb() + " to "
                + limits.maxMemoryMb() + (limits.maxMemoryIsBudget()
                ? " (this server's memory for all functions together, " + SettingsLimits.MEMORY_BUDGET_SETTING + ")"
                : "") + ", got " + describe(value));
    }

    /**
     * The memory of a function that does not set it, when it is within the limits: a server whose whole budget is
     * smaller could never run it, and must say so at deploy rather than at every invocation.
     */
    private int defaultMemory() {
        int memory = FunctionSettings.DEFAULTS.memoryMb();
        if (memory <= limits.maxMemoryMb()) {
            return memory;
        }
        throw reject(quote(MEMORY) + " is not set, so the function gets the default of " + memory + " MB, more than "
                + (limits.maxMemoryIsBudget() ? "this server's memory for all functions together ("
                + SettingsLimits.MEMORY_BUDGET_SETTING + " is " + limits.maxMemoryMb() + " MB)"
                : "this server allows a function (" + limits.maxMemoryMb() + " MB)") + ", so it could never run; set "
                + quote(MEMORY) + " to at most " + limits.maxMemoryMb() + " in glambdar.json"
                + (limits.maxMemoryIsBudget() ? ", or raise " + SettingsLimits.MEMORY_BUDGET_SETTING + " to at least "
                + memory : ""));
    }

    private double cpus(JsonNode value) {
        if (value.isNumber()) {
            BigDecimal cpus = value.decimalValue();
            if (cpus.compareTo(BigDecimal.valueOf(SettingsLimits.MIN_CPUS)) >= 0 && cpus.compareTo(maxCpus) <= 0) {
                return cpus.doubleValue();
            }
        }
        throw reject(quote(CPUS) + " must be a number of CPU cores from " + plain(BigDecimal.valueOf(SettingsLimits.MIN_CPUS))
                + " to " + plain(maxCpus) + " (e.g. 0.5), got " + describe(value));
    }

    private static Map<String, String> env(JsonNode value) {
        if (!value.isObject()) {
            throw reject(quote(ENV) + " must be an object of environment variables such as "
                    + "{\"API_URL\": \"https://example.com\"}, got " + describe(value));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> variable : value.properties()) {
            String name = variable.getKey();
            JsonNode v = variable.getValue();
            if (!ENV_NAME.matcher(name).matches()) {
                throw reject(quote(ENV) + " has an invalid variable name " + quote(name)
                        + ": names are letters (a-z, A-Z), digits and '_', not starting with a digit");
            }
            if (name.startsWith(RESERVED_ENV_PREFIX)) {
                throw reject(quote(ENV) + " variable " + quote(name) + " is not allowed: names starting with "
                        + RESERVED_ENV_PREFIX + " are reserved for the runtime");
            }
            String text;
            if (v.isTextual()) {
                text = v.textValue();
            } else if (v.isNumber()) {
                text = numberText(v);
            } else if (v.isBoolean()) {
                text = Boolean.toString(v.booleanValue());
            } else {
                throw reject(quote(ENV) + " variable " + quote(name)
                        + " must be a string, number or boolean, got " + describe(v));
            }
            if (text.indexOf('\0') >= 0) {
                throw reject(quote(ENV) + " variable " + quote(name) + " must not contain NUL characters (\\u0000)");
            }
            env.put(name, text);
        }
        return env;
    }

    private static Boolean reuse(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNull()) {
            return null; // the server's default, as in the stored form
        }
        throw reject(quote(REUSE) + " must be true or false (or null for the server's default), got "
                + describe(value));
    }

    private static Integer concurrency(JsonNode value) {
        if (value.isNull()) {
            return null; // no limit of its own, as in the stored form
        }
        if (value.isNumber()) {
            BigDecimal n = value.decimalValue();
            if ((n.signum() == 0 || n.stripTrailingZeros().scale() <= 0) && n.compareTo(BigDecimal.ONE) >= 0
                    && n.compareTo(BigDecimal.valueOf(MAX_CONCURRENCY)) <= 0) {
                return n.intValueExact();
            }
        }
        throw reject(quote(CONCURRENCY) + " must be a whole number of invocations at once from 1 to " + MAX_CONCURRENCY
                + " (or null for no limit of its own), got " + describe(value));
    }

    /** MB of the tmpfs at /tmp: it is memory of the container, so at most all of {@code memory}. */
    private static int tmp(JsonNode value, int memory, boolean memorySet) {
        if (value.isNumber()) {
            BigDecimal mb = value.decimalValue();
            if ((mb.signum() == 0 || mb.stripTrailingZeros().scale() <= 0) && mb.compareTo(BigDecimal.ONE) >= 0) {
                if (mb.compareTo(BigDecimal.valueOf(memory)) <= 0) {
                    return mb.intValueExact();
                }
                throw reject(quote(TMP) + " is " + numberText(value) + " MB, more than the function's " + quote(MEMORY)
                        + " of " + memory + " MB" + (memorySet ? "" : " (the default)") + ": /tmp is memory of the"
                        + " container and lives inside " + quote(MEMORY) + ", so lower " + quote(TMP) + " to at most "
                        + memory + ", or raise " + quote(MEMORY) + " to at least " + numberText(value));
            }
        }
        throw reject(quote(TMP) + " must be a whole number of megabytes for /tmp, from 1 to the function's "
                + quote(MEMORY) + " (" + memory + " MB), got " + describe(value));
    }

    private static boolean isPublic(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        throw reject(quote(PUBLIC) + " must be true (anyone may invoke the function without a key) or false (the"
                + " default), got " + describe(value));
    }

    private static AsyncPolicy async(JsonNode value) {
        if (!value.isObject()) {
            throw reject(quote(ASYNC) + " must be an object such as " + ASYNC_EXAMPLE + ", got " + describe(value));
        }
        for (Map.Entry<String, JsonNode> property : value.properties()) {
            if (!ASYNC_KEYS.contains(property.getKey())) {
                throw reject(quote(ASYNC) + " has an unknown setting " + quote(property.getKey())
                        + "; allowed: " + RETRIES + ", " + RETRY_DELAY + ", " + MAX_AGE);
            }
        }
        AsyncPolicy defaults = AsyncPolicy.DEFAULTS;
        int retries = defaults.retries();
        JsonNode r = value.get(RETRIES);
        if (r != null) {
            BigDecimal n = r.isNumber() ? r.decimalValue() : null;
            if (n == null || !(n.signum() == 0 || n.stripTrailingZeros().scale() <= 0) || n.signum() < 0
                    || n.compareTo(BigDecimal.valueOf(MAX_RETRIES)) > 0) {
                throw reject(quote(ASYNC) + "." + RETRIES + " must be a whole number of retries from 0 to "
                        + MAX_RETRIES + ", got " + describe(r));
            }
            retries = n.intValueExact();
        }
        Duration retryDelay = defaults.retryDelay();
        JsonNode d = value.get(RETRY_DELAY);
        if (d != null) {
            if (!d.isNumber() || d.decimalValue().signum() < 0 || d.decimalValue().compareTo(MAX_RETRY_DELAY_SECONDS) > 0) {
                throw reject(quote(ASYNC) + "." + RETRY_DELAY + " must be a number of seconds from 0 to "
                        + plain(MAX_RETRY_DELAY_SECONDS) + " (e.g. 60 or 0.5), got " + describe(d));
            }
            retryDelay = millisUp(d.decimalValue());
        }
        Duration maxAge = defaults.maxAge();
        JsonNode a = value.get(MAX_AGE);
        if (a != null) {
            if (!a.isNumber() || a.decimalValue().signum() <= 0 || a.decimalValue().compareTo(MAX_AGE_SECONDS) > 0) {
                throw reject(quote(ASYNC) + "." + MAX_AGE + " must be a number of seconds greater than 0 and at most "
                        + plain(MAX_AGE_SECONDS) + " (a week), got " + describe(a));
            }
            maxAge = millisUp(a.decimalValue());
        }
        return new AsyncPolicy(retries, retryDelay, maxAge);
    }

    private static List<ScheduleSettings> schedules(JsonNode value) {
        if (!value.isArray()) {
            throw reject(quote(SCHEDULES) + " must be an array such as " + SCHEDULE_EXAMPLE + ", got "
                    + describe(value));
        }
        if (value.size() > MAX_SCHEDULES) {
            throw reject(quote(SCHEDULES) + " has " + value.size() + " entries; at most " + MAX_SCHEDULES
                    + " are allowed");
        }
        List<ScheduleSettings> schedules = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            schedules.add(schedule(value.get(i), quote(SCHEDULES) + "[" + i + "]"));
        }
        return schedules;
    }

    private static ScheduleSettings schedule(JsonNode entry, String where) {
        if (!entry.isObject()) {
            throw reject(where + " must be an object such as {\"cron\": \"0 3 * * *\"}, got " + describe(entry));
        }
        for (Map.Entry<String, JsonNode> property : entry.properties()) {
            if (!SCHEDULE_KEYS.contains(property.getKey())) {
                throw reject(where + " has an unknown setting " + quote(property.getKey()) + "; allowed: " + CRON
                        + ", " + TIMEZONE + ", " + BODY);
            }
        }
        JsonNode c = entry.get(CRON);
        if (c == null || !c.isTextual() || c.textValue().isBlank()) {
            throw reject(where + "." + CRON + " must be a cron expression such as \"0 3 * * *\", \"@daily\" or"
                    + " \"@every 5m\", got " + (c == null ? "nothing" : describe(c)));
        }
        String cron = c.textValue().strip();
        try {
            CronSchedule.parse(cron);
        } catch (IllegalArgumentException e) {
            throw reject(where + "." + CRON + " " + quote(cron) + " is not valid: " + e.getMessage());
        }
        String timezone = ScheduleSettings.DEFAULT_TIMEZONE;
        JsonNode z = entry.get(TIMEZONE);
        if (z != null && !z.isNull()) { // null: the default, as when absent
            if (!z.isTextual() || !ScheduleZone.isKnown(z.textValue())) {
                throw reject(where + "." + TIMEZONE + " must be an IANA time zone such as \"Europe/Berlin\" or"
                        + " \"UTC\", got " + (z.isTextual() ? "the unknown time zone " : "") + describe(z));
            }
            timezone = z.textValue();
        }
        String body = ScheduleSettings.DEFAULT_BODY;
        JsonNode b = entry.get(BODY);
        if (b != null) {
            body = jsonText(b);
            if (body.length() > MAX_SCHEDULE_BODY_BYTES) {
                throw reject(where + "." + BODY + " is larger than " + MAX_SCHEDULE_BODY_BYTES / 1024 + " KiB");
            }
        }
        return new ScheduleSettings(cron, timezone, body);
    }

    private static Duration millisUp(BigDecimal seconds) {
        return Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
    }

    private static String jsonText(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree just read always writes
        }
    }

    // ---------------------------------------------------------------- stored form

    /**
     * The canonical stored form of {@code settings}, e.g.
     * {@code {"timeout":30.0,"memory":128,"cpus":0.5,"env":{"A":"1"},"reuse":null,"concurrency":null,"tmp":64,
     * "public":false}} (timeout in seconds, env sorted
     * by name). Within the bounds of a parser's limits, it is also a valid {@code glambdar.json}.
     */
    public static String toJson(FunctionSettings settings) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = MAPPER.createGenerator(out)) {
            json.writeStartObject();
            BigDecimal seconds = seconds(settings.timeout()).stripTrailingZeros();
            json.writeNumberField(TIMEOUT, seconds.scale() < 1 ? seconds.setScale(1) : seconds);
            json.writeNumberField(MEMORY, settings.memoryMb());
            json.writeNumberField(CPUS, settings.cpus());
            json.writeObjectFieldStart(ENV);
            for (Map.Entry<String, String> variable : new TreeMap<>(settings.env()).entrySet()) {
                json.writeStringField(variable.getKey(), variable.getValue());
            }
            json.writeEndObject();
            json.writeFieldName(REUSE);
            if (settings.reuse() == null) {
                json.writeNull();
            } else {
                json.writeBoolean(settings.reuse());
            }
            json.writeFieldName(CONCURRENCY);
            if (settings.concurrency() == null) {
                json.writeNull();
            } else {
                json.writeNumber(settings.concurrency());
            }
            json.writeNumberField(TMP, settings.tmpMb());
            json.writeBooleanField(PUBLIC, settings.isPublic());
            AsyncPolicy async = settings.async();
            json.writeObjectFieldStart(ASYNC);
            json.writeNumberField(RETRIES, async.retries());
            json.writeNumberField(RETRY_DELAY, seconds(async.retryDelay()).stripTrailingZeros());
            json.writeNumberField(MAX_AGE, seconds(async.maxAge()).stripTrailingZeros());
            json.writeEndObject();
            json.writeArrayFieldStart(SCHEDULES);
            for (ScheduleSettings schedule : settings.schedules()) {
                json.writeStartObject();
                json.writeStringField(CRON, schedule.cron());
                json.writeStringField(TIMEZONE, schedule.timezone());
                json.writeFieldName(BODY);
                json.writeRawValue(schedule.body());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a StringWriter does not fail
        }
        return out.toString();
    }

    /**
     * Reads settings written by {@link #toJson}. Trusts the bounds (they were checked when the function was deployed);
     * a missing key takes its default and an unknown key is ignored, so rows written by other versions still load.
     *
     * @throws IllegalArgumentException if {@code json} is not in the stored form
     */
    public static FunctionSettings fromStoredJson(String json) {
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(Objects.requireNonNull(json, "json"))) {
            root = MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("stored settings have content after the JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("stored settings are not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("stored settings are not a JSON object");
        }
        FunctionSettings defaults = FunctionSettings.DEFAULTS;
        Duration timeout = defaults.timeout();
        JsonNode t = root.get(TIMEOUT);
        if (t != null) {
            requireStored(t.isNumber(), TIMEOUT);
            BigDecimal seconds = t.decimalValue().setScale(9, RoundingMode.HALF_UP);
            long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
            int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValueExact();
            timeout = Duration.ofSeconds(whole, nanos);
        }
        int memory = defaults.memoryMb();
        JsonNode m = root.get(MEMORY);
        if (m != null) {
            requireStored(m.isIntegralNumber() && m.canConvertToInt(), MEMORY);
            memory = m.intValue();
        }
        double cpus = defaults.cpus();
        JsonNode c = root.get(CPUS);
        if (c != null) {
            if (c.isTextual()) { // NaN and infinities, which Jackson writes as strings
                try {
                    cpus = Double.parseDouble(c.textValue());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("stored settings: \"cpus\" is not a number", e);
                }
            } else {
                requireStored(c.isNumber(), CPUS);
                cpus = c.decimalValue().doubleValue();
            }
        }
        Map<String, String> env = defaults.env();
        JsonNode e = root.get(ENV);
        if (e != null && !e.isNull()) {
            requireStored(e.isObject(), ENV);
            env = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> variable : e.properties()) {
                requireStored(variable.getValue().isTextual(), ENV);
                env.put(variable.getKey(), variable.getValue().textValue());
            }
        }
        Boolean reuse = defaults.reuse();
        JsonNode r = root.get(REUSE);
        if (r != null && !r.isNull()) {
            requireStored(r.isBoolean(), REUSE);
            reuse = r.booleanValue();
        }
        Integer concurrency = defaults.concurrency();
        JsonNode n = root.get(CONCURRENCY);
        if (n != null && !n.isNull()) {
            requireStored(n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 1, CONCURRENCY);
            concurrency = n.intValue();
        }
        int tmp = defaults.tmpMb(); // missing in rows written before "tmp" existed
        JsonNode tm = root.get(TMP);
        if (tm != null) {
            requireStored(tm.isIntegralNumber() && tm.canConvertToInt() && tm.intValue() >= 1, TMP);
            tmp = tm.intValue();
        }
        boolean isPublic = defaults.isPublic(); // missing in rows written before "public" existed
        JsonNode p = root.get(PUBLIC);
        if (p != null) {
            requireStored(p.isBoolean(), PUBLIC);
            isPublic = p.booleanValue();
        }
        AsyncPolicy async = defaults.async(); // missing in rows written before "async" existed
        JsonNode a = root.get(ASYNC);
        if (a != null) {
            requireStored(a.isObject() && a.path(RETRIES).canConvertToInt() && a.path(RETRY_DELAY).isNumber()
                    && a.path(MAX_AGE).isNumber(), ASYNC);
            async = new AsyncPolicy(a.get(RETRIES).intValue(), millisUp(a.get(RETRY_DELAY).decimalValue()),
                    millisUp(a.get(MAX_AGE).decimalValue()));
        }
        List<ScheduleSettings> schedules = defaults.schedules();
        JsonNode s = root.get(SCHEDULES);
        if (s != null) {
            requireStored(s.isArray(), SCHEDULES);
            schedules = new ArrayList<>();
            for (JsonNode entry : s) {
                requireStored(entry.path(CRON).isTextual() && entry.path(TIMEZONE).isTextual() && entry.has(BODY),
                        SCHEDULES);
                schedules.add(new ScheduleSettings(entry.get(CRON).textValue(), entry.get(TIMEZONE).textValue(),
                        jsonText(entry.get(BODY))));
            }
        }
        return new FunctionSettings(timeout, memory, cpus, env, reuse, concurrency, tmp, isPublic, async, schedules);
    }

    private static void requireStored(boolean ok, String key) {
        if (!ok) {
            throw new IllegalArgumentException("stored settings: \"" + key + "\" has the wrong type");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode readTree(byte[] json) {
        try (JsonParser parser = MAPPER.createParser(Objects.requireNonNull(json, "json"))) {
            JsonNode root = MAPPER.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw reject("unexpected content after the JSON object" + at(parser.currentTokenLocation())
                        + "; the file must hold exactly one JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            Matcher duplicate = DUPLICATE_KEY.matcher(detail);
            if (duplicate.lookingAt()) {
                throw new DeployRejectedException(Reason.BAD_REQUEST, PREFIX + "duplicate key "
                        + quote(duplicate.group(1)) + at(e.getLocation()) + "; each key may appear only once", e);
            }
            throw new DeployRejectedException(Reason.BAD_REQUEST,
                    PREFIX + "invalid JSON" + at(e.getLocation()) + ": " + shorten(detail), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a byte array does not fail
        }
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Jackson's message without the parts meant for programmers (source references, feature names). */
    private static String shorten(String detail) {
        String text = detail;
        for (String cut : new String[] {" (start marker at", " (not recognized as one since", ": enable `",
                " at [Source", "\n"}) {
            int i = text.indexOf(cut);
            if (i >= 0) {
                text = text.substring(0, i);
            }
        }
        text = text.strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** What a value is, for "got ..." in messages. */
    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return quote(value.textValue());
        }
        if (value.isNumber()) {
            return numberText(value);
        }
        if (value.isBoolean() || value.isNull()) {
            return value.asText();
        }
        if (value.isObject()) {
            return "an object";
        }
        if (value.isArray()) {
            return "an array";
        }
        return value.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** A JSON number as a person would write it: {@code 1000}, {@code 2.5}; huge exponents stay scientific. */
    private static String numberText(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.bigIntegerValue().toString();
        }
        return plain(number.decimalValue());
    }

    private static String plain(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        int integerDigits = v.precision() - v.scale();
        if (v.scale() > 100 || integerDigits > 100) {
            return v.toString();
        }
        return v.toPlainString();
    }

    private static BigDecimal seconds(Duration duration) {
        return BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    }

    private static DeployRejectedException reject(String problem) {
        return DeployRejectedException.badRequest(PREFIX + problem);
    }

    private static DeployRejectedException tooBig() {
        return reject("the file is larger than " + MAX_FILE_BYTES / 1024 + " KiB; it only holds a few settings");
    }
}

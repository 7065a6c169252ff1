package io.glambdar.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text exposition (format 0.0.4), parsed strictly: every line must be a comment or a well-formed sample,
 * or parsing fails, so a test that reads values also checks the format.
 */
public final class PrometheusText {

    /** One sample line: its metric name, labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary"
            + "|untyped)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        for (String line : text.split("\n")) {
            parsed.line(line);
        }
        return parsed;
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("# TYPE ")) {
            Matcher type = TYPE.matcher(line);
            require(type.matches(), line);
            types.put(type.group(1), type.group(2));
            return;
        }
        if (line.startsWith("#")) {
            require(line.startsWith("# HELP "), line);
            return;
        }
        Matcher name = NAME.matcher(line);
        require(name.lookingAt(), line);
        int at = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at++;
            while (line.charAt(at) != '}') {
                Matcher label = LABEL.matcher(line).region(at, line.length());
                require(label.lookingAt(), line);
                require(labels.put(label.group(1), unescape(label.group(2))) == null, line);
                at = label.end();
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        }
        require(at < line.length() && line.charAt(at) == ' ', line);
        String[] rest = line.substring(at + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, line);
        samples.add(new Sample(name.group(), labels, value(rest[0], line)));
    }

    private static double value(String text, String line) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a value in: " + line);
                }
            }
        };
    }

    private static String unescape(String value) {
        return value.replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static void require(boolean holds, String line) {
        if (!holds) {
            throw new IllegalArgumentException("not Prometheus text format: " + line);
        }
    }

    /** Metric family name → type, from the {@code # TYPE} lines. */
    public Map<String, String> types() {
        return types;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples of metric {@code name} that have every label of {@code labels} (name, value, name, value...). */
    public List<Sample> samples(String name, String... labels) {
        Map<String, String> wanted = pairs(labels);
        return samples.stream().filter(sample -> sample.name().equals(name)
                && sample.labels().entrySet().containsAll(wanted.entrySet())).toList();
    }

    /** The value of the one sample of {@code name} with these labels; fails when there is none or more than one. */
    public double value(String name, String... labels) {
        List<Sample> found = samples(name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " " + Arrays.toString(labels)
                    + ", expected one: " + found);
        }
        return found.getFirst().value();
    }

    private static Map<String, String> pairs(String... labels) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            pairs.put(labels[i], labels[i + 1]);
        }
        return pairs;
    }
}

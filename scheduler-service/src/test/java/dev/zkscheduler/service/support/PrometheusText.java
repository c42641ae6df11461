package dev.zkscheduler.service.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: what it accepts a
 * Prometheus server accepts, and it refuses what a scrape would reject or misread (bad names, bad
 * escapes, a family's samples split up or typed twice, a sample whose name does not fit its
 * family's type, duplicate series, histogram buckets that are not cumulative or lack {@code +Inf}).
 * The Prometheus Java client writes this format but has no parser for it.
 */
public final class PrometheusText {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** A metric family: its {@code # TYPE}, {@code # HELP} and samples, in order. */
  public record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families;

  private PrometheusText(Map<String, Family> families) {
    this.families = Collections.unmodifiableMap(families);
  }

  public Map<String, Family> families() {
    return families;
  }

  /** Every sample name (with {@code _total}, {@code _bucket}, ... as written). */
  public Set<String> sampleNames() {
    Set<String> names = new HashSet<>();
    families.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
    return names;
  }

  /** The samples named {@code name}, from whichever family holds them. */
  public List<Sample> samples(String name) {
    List<Sample> found = new ArrayList<>();
    families
        .values()
        .forEach(f -> f.samples().stream().filter(s -> s.name().equals(name)).forEach(found::add));
    return found;
  }

  /**
   * @throws IllegalArgumentException naming the line, for anything a strict reader refuses
   */
  public static PrometheusText parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int number = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("TYPE") || parts[1].equals("HELP"))) {
          String name = parts[2];
          check(METRIC_NAME.matcher(name).matches(), number, "bad metric name " + name);
          if (parts[1].equals("TYPE")) {
            check(parts.length == 4 && TYPES.contains(parts[3]), number, "bad type: " + line);
            check(!types.containsKey(name), number, "second TYPE for " + name);
            check(!families.containsKey(name), number, "TYPE after samples of " + name);
            types.put(name, parts[3]);
          } else {
            check(!helps.containsKey(name), number, "second HELP for " + name);
            helps.put(name, parts.length == 4 ? unescapeHelp(parts[3], number) : "");
          }
        }
        continue;
      }
      Sample sample = sample(line, number);
      String family = familyOf(sample.name(), types);
      if (!family.equals(current)) {
        check(!closed.contains(family), number, "samples of " + family + " are split up");
        if (current != null) {
          closed.add(current);
        }
        current = family;
      }
      String type = types.getOrDefault(family, "untyped");
      check(
          fits(sample, family, type),
          number,
          sample.name() + " does not belong to " + type + " " + family);
      check(
          series.add(sample.name() + new TreeMap<>(sample.labels())), number, "duplicate " + line);
      String help = helps.get(family);
      families
          .computeIfAbsent(family, f -> new Family(f, type, help, new ArrayList<>()))
          .samples()
          .add(sample);
    }
    families.values().stream()
        .filter(f -> f.type().equals("histogram"))
        .forEach(PrometheusText::checkBuckets);
    return new PrometheusText(families);
  }

  private static String familyOf(String sampleName, Map<String, String> types) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return sampleName;
  }

  private static boolean fits(Sample sample, String family, String type) {
    String name = sample.name();
    return switch (type) {
      case "counter" -> name.equals(family) && family.endsWith("_total");
      case "gauge", "untyped" -> name.equals(family);
      case "summary" ->
          (name.equals(family) && sample.labels().containsKey("quantile"))
              || name.equals(family + "_sum")
              || name.equals(family + "_count");
      case "histogram" ->
          (name.equals(family + "_bucket") && sample.labels().containsKey("le"))
              || name.equals(family + "_sum")
              || name.equals(family + "_count");
      default -> false;
    };
  }

  /**
   * Per label set: buckets cumulative in {@code le} order, {@code +Inf} there and equal to count.
   */
  private static void checkBuckets(Family family) {
    Map<Map<String, String>, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample s : family.samples()) {
      Map<String, String> others = new TreeMap<>(s.labels());
      if (s.name().endsWith("_bucket")) {
        String le = others.remove("le");
        buckets.computeIfAbsent(others, k -> new TreeMap<>()).put(value(le, 0), s.value());
      } else if (s.name().endsWith("_count")) {
        counts.put(others, s.value());
      }
    }
    buckets.forEach(
        (labels, byBound) -> {
          double previous = 0;
          for (double count : byBound.values()) {
            if (count < previous) {
              throw new IllegalArgumentException(
                  family.name() + labels + ": buckets not cumulative");
            }
            previous = count;
          }
          if (!byBound.containsKey(Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(family.name() + labels + ": no +Inf bucket");
          }
          Double count = counts.get(labels);
          if (count == null || count.doubleValue() != byBound.get(Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(family.name() + labels + ": +Inf bucket != count");
          }
        });
  }

  private static Sample sample(String line, int number) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    check(METRIC_NAME.matcher(name).matches(), number, "bad metric name in: " + line);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        check(eq > 0, number, "label without '=': " + line);
        String label = line.substring(i, eq);
        check(LABEL_NAME.matcher(label).matches(), number, "bad label name " + label);
        check(eq + 1 < line.length() && line.charAt(eq + 1) == '"', number, "unquoted: " + line);
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; ; j++) {
          check(j < line.length(), number, "unterminated label value: " + line);
          char c = line.charAt(j);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            j++;
            check(j < line.length(), number, "dangling escape: " + line);
            char e = line.charAt(j);
            check(e == '\\' || e == '"' || e == 'n', number, "bad escape \\" + e + ": " + line);
            value.append(e == 'n' ? '\n' : e);
          } else {
            check(c != '\n', number, "raw newline in label value");
            value.append(c);
          }
        }
        check(labels.put(label, value.toString()) == null, number, "label twice: " + line);
        i = j + 1;
        check(i < line.length(), number, "unterminated labels: " + line);
        if (line.charAt(i) == ',') {
          i++;
        } else {
          check(line.charAt(i) == '}', number, "expected ',' or '}': " + line);
        }
      }
      i++;
    }
    check(i < line.length() && line.charAt(i) == ' ', number, "no value: " + line);
    String[] rest = line.substring(i + 1).split(" ");
    check(rest.length == 1 || rest.length == 2, number, "value and timestamp expected: " + line);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("line " + number + ": bad timestamp: " + line);
      }
    }
    return new Sample(name, Collections.unmodifiableMap(labels), value(rest[0], number));
  }

  private static double value(String text, int number) {
    switch (text) {
      case "+Inf", "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        check(text.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?"), number, "bad value " + text);
        return Double.parseDouble(text);
    }
  }

  private static String unescapeHelp(String text, int number) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        check(i + 1 < text.length(), number, "dangling escape in HELP");
        char e = text.charAt(++i);
        check(e == '\\' || e == 'n', number, "bad escape in HELP: \\" + e);
        out.append(e == 'n' ? '\n' : e);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void check(boolean condition, int line, String message) {
    if (!condition) {
      throw new IllegalArgumentException("line " + line + ": " + message);
    }
  }
}

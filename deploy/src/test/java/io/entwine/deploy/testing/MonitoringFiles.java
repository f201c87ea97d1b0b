package io.entwine.deploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana dashboards of {@code deploy/grafana} and the Prometheus files of {@code
 * deploy/prometheus}.
 */
public final class MonitoringFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  // a metric name in PromQL: a word of a family the node exports, not a function or a label
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:entwine|jvm|process|system|cassandra)_[a-zA-Z0-9_]+)\\b");

  // a label matcher of a selector, or a label of a scraped series: name, operator, quoted value
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  // labels Prometheus adds when it scrapes (target labels), not in the node's exposition
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  private MonitoringFiles() {}

  /** A label matcher of a PromQL selector ({@code =}, {@code !=}, {@code =~}, {@code !~}). */
  public record LabelMatcher(String label, String operator, String value) {
    boolean matches(Map<String, String> labels) {
      String actual = labels.getOrDefault(label, "");
      return switch (operator) {
        case "=" -> actual.equals(value);
        case "!=" -> !actual.equals(value);
        case "=~" -> actual.matches(value);
        default -> !actual.matches(value);
      };
    }
  }

  /**
   * A vector selector of a panel query: a metric and its label matchers, without those on target
   * labels or Grafana variables ({@code instance=~"$instance"}), which a scrape cannot answer.
   */
  public record Selector(String metric, List<LabelMatcher> matchers) {
    /** Whether a scraped series, written {@code name{label="value",…}}, is one this selects. */
    public boolean selects(String series) {
      int brace = series.indexOf('{');
      String name = brace < 0 ? series : series.substring(0, brace);
      if (!name.equals(metric)) {
        return false;
      }
      Map<String, String> labels = new HashMap<>();
      if (brace >= 0) {
        Matcher label = LABEL.matcher(series.substring(brace + 1, series.lastIndexOf('}')));
        while (label.find()) {
          labels.put(label.group(1), label.group(3).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
      }
      return matchers.stream().allMatch(m -> m.matches(labels));
    }
  }

  /** The vector selectors of a PromQL query (of the families METRIC knows). */
  public static List<Selector> selectors(String query) {
    List<Selector> selectors = new ArrayList<>();
    Matcher metric = METRIC.matcher(query);
    while (metric.find()) {
      List<LabelMatcher> matchers = new ArrayList<>();
      int end = metric.end();
      if (end < query.length() && query.charAt(end) == '{') {
        Matcher label = LABEL.matcher(query.substring(end + 1, closingBrace(query, end)));
        while (label.find()) {
          if (!TARGET_LABELS.contains(label.group(1)) && !label.group(3).contains("$")) {
            matchers.add(new LabelMatcher(label.group(1), label.group(2), label.group(3)));
          }
        }
      }
      selectors.add(new Selector(metric.group(1), matchers));
    }
    return selectors;
  }

  private static int closingBrace(String query, int open) {
    boolean quoted = false;
    for (int i = open + 1; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    throw new IllegalArgumentException("no closing brace in " + query);
  }

  /** Every panel of every dashboard ("dashboard / panel") with its queries. */
  public static Map<String, List<String>> panels() {
    Map<String, List<String>> panels = new LinkedHashMap<>();
    for (Path dashboard : dashboards()) {
      JsonNode json = read(dashboard);
      for (JsonNode panel : json.path("panels")) {
        List<String> queries = new ArrayList<>();
        panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
        panels.put(json.path("title").asText() + " / " + panel.path("title").asText(), queries);
      }
    }
    return panels;
  }

  public static Path grafana() {
    return deployDirectory().resolve("grafana");
  }

  public static Path prometheus() {
    return deployDirectory().resolve("prometheus");
  }

  public static List<Path> dashboards() {
    try (Stream<Path> files = Files.list(grafana())) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode read(Path dashboard) {
    try {
      return JSON.readTree(dashboard.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every panel query of every dashboard. */
  public static List<String> queries() {
    return panels().values().stream().flatMap(List::stream).toList();
  }

  /** The metric names (as queried, e.g. with {@code _bucket}) the dashboards read. */
  public static Set<String> queriedMetrics() {
    Set<String> names = new TreeSet<>();
    for (String query : queries()) {
      Matcher metric = METRIC.matcher(query);
      while (metric.find()) {
        names.add(metric.group(1));
      }
    }
    return names;
  }

  /** {@code deploy/}, whether Maven runs in deploy or at the root. */
  private static Path deployDirectory() {
    return Files.isDirectory(Path.of("grafana"))
        ? Path.of("").toAbsolutePath()
        : Path.of("deploy").toAbsolutePath();
  }
}

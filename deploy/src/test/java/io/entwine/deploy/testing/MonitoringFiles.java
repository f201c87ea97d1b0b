package io.entwine.deploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  private MonitoringFiles() {}

  /** One query of a dashboard panel, as written in the dashboard (variables unsubstituted). */
  public record PanelQuery(JsonNode dashboard, String panel, String expr) {
    /** "dashboard / panel: expr", for a failure message. */
    @Override
    public String toString() {
      return dashboard.path("title").asText() + " / " + panel + ": " + expr;
    }
  }

  /** Every query of every panel of every dashboard. */
  public static List<PanelQuery> panelQueries() {
    List<PanelQuery> queries = new ArrayList<>();
    for (Path file : dashboards()) {
      JsonNode dashboard = read(file);
      for (JsonNode panel : dashboard.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          queries.add(
              new PanelQuery(
                  dashboard, panel.path("title").asText(), target.path("expr").asText()));
        }
      }
    }
    return queries;
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

  /** The metric names (as queried, e.g. with {@code _bucket}) the dashboards read. */
  public static Set<String> queriedMetrics() {
    Set<String> names = new TreeSet<>();
    for (PanelQuery query : panelQueries()) {
      Matcher metric = METRIC.matcher(query.expr());
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

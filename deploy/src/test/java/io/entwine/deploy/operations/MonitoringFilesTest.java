package io.entwine.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.GrafanaVariables;
import io.entwine.deploy.testing.MonitoringFiles;
import io.entwine.deploy.testing.Promtool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dashboards are Grafana dashboards that query Prometheus through a chosen data source, and the
 * alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test rules}).
 * That every panel's query returns series from a Prometheus scraping a loaded node is {@link
 * OperationsIT}'s.
 */
class MonitoringFilesTest {
  @Test
  void dashboardsQueryPrometheusThroughTheChosenDataSource() {
    List<Path> dashboards = MonitoringFiles.dashboards();
    assertEquals(3, dashboards.size(), "overview, JVM, Cassandra client: " + dashboards);
    Set<String> uids = new HashSet<>();
    for (Path file : dashboards) {
      JsonNode dashboard = MonitoringFiles.read(file);
      assertTrue(uids.add(dashboard.path("uid").asText()), "unique uid: " + file);
      assertFalse(dashboard.path("title").asText().isBlank(), file.toString());
      assertFalse(dashboard.path("panels").isEmpty(), file.toString());
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : dashboard.path("panels")) {
        String where = file.getFileName() + ": " + panel.path("title").asText();
        assertTrue(ids.add(panel.path("id").asInt()), "unique panel id: " + where);
        assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), where);
        assertFalse(panel.path("targets").isEmpty(), where);
        for (JsonNode target : panel.path("targets")) {
          assertFalse(target.path("expr").asText().isBlank(), where);
        }
      }
    }
    assertTrue(
        MonitoringFiles.queriedMetrics().contains("entwine_events_acknowledged_total"),
        MonitoringFiles.queriedMetrics().toString());
    assertTrue(
        MonitoringFiles.queriedMetrics().contains("entwine_journal_circuit_breaker_state"),
        "a panel shows the journal's circuit breaker");
  }

  @Test
  void variablesAreSubstitutedAsGrafanaSendsTheQueryToPrometheus() {
    JsonNode overview =
        MonitoringFiles.read(MonitoringFiles.grafana().resolve("entwine-overview.json"));
    Map<String, String> asked = new HashMap<>();
    GrafanaVariables variables =
        GrafanaVariables.of(
            overview,
            (metric, label) -> {
              asked.put(metric, label);
              return List.of("10.0.0.7:8558", "node-b:8558");
            },
            Duration.ofSeconds(15));

    assertEquals(Map.of("entwine_build_info", "instance"), asked);
    assertEquals(
        "rate(m{instance=~\"(10\\\\.0\\\\.0\\\\.7:8558|node-b:8558)\"}[1m])",
        variables.substitute("rate(m{instance=~\"$instance\"}[1m])"));
    assertEquals(
        "rate(m[60s]) rate(m[15s]) 3600s (10\\\\.0\\\\.0\\\\.7:8558|node-b:8558)",
        variables.substitute(
            "rate(m[$__rate_interval]) rate(m[${__interval}]) $__range [[instance]]"));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> variables.substitute("m{a=\"$node\"}"));
    assertTrue(unknown.getMessage().contains("$node"), unknown.getMessage());
  }

  @Test
  void alertRulesPassPromtoolsCheckAndTheirUnitTests() {
    Promtool.assumeInstalled();
    Path prometheus = MonitoringFiles.prometheus();
    Promtool.assertPasses(
        "", "check", "rules", prometheus.resolve("entwine-alerts.yml").toString());
    Promtool.assertPasses("", "check", "config", prometheus.resolve("prometheus.yml").toString());
    Promtool.assertPasses(
        "", "test", "rules", prometheus.resolve("entwine-alerts.test.yml").toString());
  }
}

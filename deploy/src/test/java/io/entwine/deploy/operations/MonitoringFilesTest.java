package io.entwine.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.MonitoringFiles;
import io.entwine.deploy.testing.Promtool;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The dashboards are Grafana dashboards that query Prometheus through a chosen data source, and the
 * alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test rules}).
 * That every queried metric exists on a live node is {@link OperationsIT}'s.
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

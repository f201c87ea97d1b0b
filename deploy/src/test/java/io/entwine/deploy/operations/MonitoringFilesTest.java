package io.entwine.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.MonitoringFiles;
import io.entwine.deploy.testing.MonitoringFiles.Selector;
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
    assertTrue(
        MonitoringFiles.queriedMetrics().contains("entwine_journal_circuit_breaker_state"),
        "a panel shows the journal's circuit breaker");
  }

  @Test
  void aPanelSelectorMatchesSeriesByItsLabelsIgnoringTargetLabelsAndVariables() {
    List<Selector> selectors =
        MonitoringFiles.selectors(
            "sum by (status) (rate(entwine_http_server_requests_seconds_count"
                + "{instance=~\"$instance\",status=~\"4..|5..\"}[5m])) / ignoring(x) jvm_threads_live_threads");
    assertEquals(2, selectors.size(), selectors.toString());
    Selector errors = selectors.get(0);
    assertEquals("entwine_http_server_requests_seconds_count", errors.metric());
    assertEquals(1, errors.matchers().size(), "instance and $instance are left out");
    String route = "route=\"/api/v0002/device/types/{}/devices/{}/events/{}\"";
    assertTrue(
        errors.selects(
            "entwine_http_server_requests_seconds_count{method=\"POST\","
                + route
                + ",status=\"401\"}"));
    assertFalse(
        errors.selects(
            "entwine_http_server_requests_seconds_count{method=\"POST\","
                + route
                + ",status=\"200\"}"));
    assertFalse(errors.selects("entwine_http_server_requests_seconds_sum{status=\"401\"}"));
    assertTrue(selectors.get(1).selects("jvm_threads_live_threads"));
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

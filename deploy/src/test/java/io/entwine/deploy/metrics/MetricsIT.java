package io.entwine.deploy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.MetricsScrape;
import io.entwine.deploy.testing.TestNode;
import io.entwine.historian.HistorianProjection;
import io.entwine.registry.view.RegistryProjection;
import io.entwine.twin.DeviceTwin;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} on the management port of a real node: the families an operator scrapes
 * appear, and the historian's lag gauge rises while its slices are paused and returns to 0 when
 * they resume.
 */
class MetricsIT {
  private static final Duration CATCH_UP = Duration.ofSeconds(60);
  private static final String HISTORIAN_LAG =
      "entwine_projection_lag_seconds{projection=\"" + HistorianProjection.NAME + "\",slice=\"";

  private static int managementPort;
  private static TestNode node;
  private static Fixtures fixtures;

  @BeforeAll
  static void startNode() throws Exception {
    managementPort = freePort();
    node =
        TestNode.start(
            "entwine.management.enabled = on\nentwine.management.port = "
                + managementPort
                // every acknowledgement counts as slow, so that the ring serves this test's
                + "\nentwine.slow-acknowledgements.threshold = 0ms");
    fixtures = new Fixtures(node);
  }

  @AfterAll
  static void stopNode() throws Exception {
    node.close();
  }

  @Test
  void reportsTheNodeAndTheProjectionLagThatRisesAndFallsBack() throws Exception {
    Map<String, Double> metrics = scrapeWhen(m -> m.containsKey("entwine_mqtt_connections"));
    assertEquals(1.0, metrics.get("entwine_cluster_members{status=\"Up\"}"));
    assertEquals(0.0, metrics.get("entwine_cluster_unreachable_members"));
    assertEquals(0.0, metrics.get("entwine_mqtt_connections"));
    assertEquals(0.0, metrics.get("entwine_events_in_flight"));
    assertEquals(0.0, metrics.get("entwine_event_recordings_waiting"));
    assertEquals(1.0, metrics.get("entwine_projection_lag_available"));
    Map<String, List<String>> slices =
        Map.of(
            HistorianProjection.NAME,
            DeviceTwin.RECORDED_TAGS,
            RegistryProjection.NAME,
            DeviceTwin.REGISTRY_TAGS);
    for (String projection : slices.keySet()) {
      for (String slice : slices.get(projection)) {
        String series =
            "entwine_projection_lag_seconds{projection=\""
                + projection
                + "\",slice=\""
                + slice
                + "\"}";
        assertTrue(metrics.containsKey(series), series + " missing from " + metrics.keySet());
      }
    }

    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "sensor", "lagging");
    assertEquals(200, send(device, 1).status());
    Map<String, Double> afterWrite =
        scrapeWhen(
            m ->
                m.getOrDefault("entwine_events_acknowledged_total{protocol=\"http\"}", 0.0) >= 1
                    && m.getOrDefault("entwine_entities_active{type=\"DeviceTwin\"}", 0.0) >= 1
                    && historianLags(m).stream().allMatch(lag -> lag == 0.0));
    // the journal that wrote it is MeteredCassandraJournal, its breaker closed
    assertEquals(1.0, afterWrite.get("entwine_journal_circuit_breaker_state{state=\"closed\"}"));
    assertEquals(0.0, afterWrite.get("entwine_journal_circuit_breaker_state{state=\"open\"}"));

    ProjectionManagement projections = ProjectionManagement.get(node.system());
    for (String slice : DeviceTwin.RECORDED_TAGS) {
      projections
          .pause(ProjectionId.of(HistorianProjection.NAME, slice))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }
    assertEquals(200, send(device, 2).status());
    scrapeWhen(m -> historianLags(m).stream().anyMatch(lag -> lag > 0));

    for (String slice : DeviceTwin.RECORDED_TAGS) {
      projections
          .resume(ProjectionId.of(HistorianProjection.NAME, slice))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }
    scrapeWhen(m -> historianLags(m).stream().allMatch(lag -> lag == 0.0));
  }

  @Test
  void servesSlowAcknowledgementsWithTheirStagesAndTimesEachStatementKind() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "sensor", "staged");
    assertEquals(200, send(device, 1).status());

    TestNode.Response slow =
        node.request("GET", "/api/v0002/admin/slow-acknowledgements").operator().send();
    assertEquals(200, slow.status(), slow.body());
    JsonNode records = slow.json().get("records");
    assertTrue(records.size() >= 1, slow.body());
    JsonNode last = records.get(records.size() - 1);
    assertEquals("http", last.get("protocol").asText());
    assertEquals(1, last.get("events").asInt());
    double stages = 0;
    for (String stage :
        List.of(
            "admissionMillis", "toTwinMillis", "handlerMillis", "journalMillis", "replyMillis")) {
      assertTrue(last.get(stage).isNumber(), stage + " in " + last);
      stages += last.get(stage).asDouble();
    }
    assertEquals(last.get("totalMillis").asDouble(), stages, 0.01);
    assertEquals(
        401, node.request("GET", "/api/v0002/admin/slow-acknowledgements").send().status());

    Map<String, Double> metrics =
        scrapeWhen(
            m ->
                m.getOrDefault(
                            "entwine_events_acknowledgement_stage_seconds_count{protocol=\"http\",stage=\"journal\"}",
                            0.0)
                        >= 1
                    && m.getOrDefault(
                            "entwine_cassandra_statement_latency_seconds_count{statement=\"insert messages\"}",
                            0.0)
                        >= 1);
    assertTrue(
        metrics.keySet().stream()
            .anyMatch(
                series ->
                    series.startsWith(
                            "entwine_cassandra_statement_latency_seconds_count{statement=\"batch insert tag_views")
                        || series.startsWith(
                            "entwine_cassandra_statement_latency_seconds_count{statement=\"insert tag_views")),
        "the tag writer's statements are timed apart: " + metrics.keySet());
  }

  private static TestNode.Response send(Device device, int n) {
    return fixtures.sendEvent(
        device, "status", "application/json", ("{\"d\":{\"n\":" + n + "}}").getBytes());
  }

  /** The historian's lag per slice (NaN while a slice with events has no offset yet). */
  private static List<Double> historianLags(Map<String, Double> metrics) {
    return metrics.entrySet().stream()
        .filter(entry -> entry.getKey().startsWith(HISTORIAN_LAG))
        .map(Map.Entry::getValue)
        .toList();
  }

  private static Map<String, Double> scrapeWhen(
      java.util.function.Predicate<Map<String, Double>> done) {
    return TestNode.awaitValue(
        CATCH_UP, () -> MetricsScrape.scrape("http://127.0.0.1:" + managementPort), done);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.entwine.deploy.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.bench.DeviceSetup;
import io.entwine.bench.MqttLoad;
import io.entwine.deploy.mqtt.Paho;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.CommandLineTools;
import io.entwine.deploy.testing.EntwineCommand;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.GrafanaVariables;
import io.entwine.deploy.testing.MetricsScrape;
import io.entwine.deploy.testing.MonitoringFiles;
import io.entwine.deploy.testing.MonitoringFiles.PanelQuery;
import io.entwine.deploy.testing.PrometheusServer;
import io.entwine.deploy.testing.Promtool;
import io.entwine.deploy.testing.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator watches, on a node started as {@code ENTWINE_LOG_FORMAT=json deploy/bin/entwine
 * run} starts it, after real clients used it (JDK HttpClient, Paho): {@code GET /metrics} carries
 * the JVM, process, HTTP, MQTT, ingest and Cassandra driver families in the standard exposition
 * format that {@code promtool check metrics} accepts, with no device id in any label and every
 * metric the Grafana dashboards query (deploy/grafana); under the bench's MQTT QoS 1 load, every
 * dashboard panel's query returns series from a Prometheus scraping the node; every log line is a
 * JSON object; {@code entwine status} prints the node.
 */
class OperationsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ApiClient API = new ApiClient(EntwineRun.ADMIN_TOKEN);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DEVICE_ID = "ops-meter-4711";
  private static final int LOAD_DEVICES = 50;

  @TempDir static Path dataDir;
  private static EntwineRun node;
  private static ApiKey apiKey;
  private static Device device;

  @BeforeAll
  static void startAndUse() throws Exception {
    // fewer PBKDF2 rounds, as bench/run sets them, only shorten the set-up of the load's devices
    node =
        EntwineRun.start(
            dataDir, Map.of("ENTWINE_LOG_FORMAT", "json", "ENTWINE_PBKDF2_ITERATIONS", "1000"));
    apiKey = API.organizationWithApiKey(node.baseUrl());
    device = API.register(node.baseUrl(), apiKey, "meter", DEVICE_ID);
    assertEquals(
        200, API.sendEvent(node.baseUrl(), device, "status", "{\"d\":{\"v\":1}}", WAIT).status());
    Device wrongToken = new Device(device.org(), device.type(), device.id(), "not-the-token");
    assertEquals(401, API.sendEvent(node.baseUrl(), wrongToken, "status", "{}", WAIT).status());
    Paho.assertNotAuthorized(
        node.mqttUri(), Paho.clientId(device), Paho.DEVICE_USERNAME, "not-the-token");
    MqttClient mqtt = Paho.device(node.mqttUri(), device);
    try {
      mqtt.publish("iot-2/evt/status/fmt/json", "{\"d\":{\"v\":2}}".getBytes(), 1, false);
    } finally {
      Paho.closeQuietly(mqtt);
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void metricsCoverTheNodeInTheStandardFormatWithoutDeviceIds() throws Exception {
    Map<String, Double> series =
        TestNode.awaitValue(
            WAIT,
            () -> MetricsScrape.scrape(node.managementUrl()),
            m -> m.getOrDefault("entwine_events_acknowledged_total{protocol=\"mqtt\"}", 0.0) >= 1);
    HttpResponse<String> scrape = metrics();
    assertEquals(200, scrape.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=UTF-8",
        scrape.headers().firstValue("Content-Type").orElse(""));
    String text = scrape.body();

    for (String family :
        List.of(
            "jvm_memory_used_bytes{",
            "jvm_threads_live_threads ",
            "jvm_classes_loaded_classes ",
            "process_cpu_usage ",
            "process_files_open_files ",
            "entwine_build_info{",
            "entwine_jvm_heap_used_bytes ",
            "entwine_cluster_members{status=\"Up\"} 1",
            "entwine_entities_active{type=\"DeviceTwin\"}",
            "entwine_projection_lag_seconds{projection=\"historian\"",
            "entwine_mqtt_connections ",
            "entwine_mqtt_packets_received_total{type=\"connect\"}",
            "entwine_mqtt_packets_sent_total{type=\"connack\"}",
            "entwine_mqtt_packets_received_total{type=\"publish\"}",
            "entwine_mqtt_connects_refused_total{reason=\"not_authorized\"}",
            "entwine_events_refused_total{protocol=\"http\",reason=\"unauthorized\"}",
            "entwine_events_acknowledgement_latency_seconds_bucket{protocol=\"http\",le=\"",
            "entwine_http_server_requests_seconds_bucket{",
            "route=\"/api/v0002/device/types/{}/devices/{}/events/{}\"",
            "cassandra_session_cql_requests_seconds_count{")) {
      assertTrue(text.contains(family), family + " is missing from:\n" + text);
    }
    assertEquals(1.0, series.get("entwine_events_acknowledged_total{protocol=\"http\"}"));
    assertTrue(
        series.getOrDefault("entwine_mqtt_connects_refused_total{reason=\"not_authorized\"}", 0.0)
            >= 1,
        "the refused CONNECT is counted");
    assertFalse(text.contains(DEVICE_ID), "a device id is a label value");
    for (String queried : MonitoringFiles.queriedMetrics()) {
      assertTrue(
          text.contains("\n" + queried + "{") || text.contains("\n" + queried + " "),
          "a dashboard queries " + queried + ", which the node does not export");
    }

    Promtool.assumeInstalled();
    Promtool.assertPasses(text, "check", "metrics");
  }

  /**
   * {@code bench mqtt-qos1}, shortened, watched by a real Prometheus: Prometheus scrapes the node's
   * management port every second while the bench's own device set-up and MQTT load generator (QoS
   * 1, a window of publishes in flight per device connection) run against the node. Then every
   * query of every dashboard panel, its variables substituted as Grafana substitutes them, returns
   * at least one series with a value through Prometheus's query API: no panel stays empty. The
   * refused CONNECT and the 401 of {@link #startAndUse()} fill the refusal and error panels; the
   * set-up's organization and API key requests, on routes {@link #startAndUse()} used before
   * Prometheus's first scrape, give the HTTP latency panel a rate.
   */
  @Test
  void everyDashboardPanelQueryReturnsSeriesFromPrometheusUnderBenchMqttQos1(
      @TempDir Path prometheusDir) throws Exception {
    URI management = URI.create(node.managementUrl());
    try (PrometheusServer prometheus =
        PrometheusServer.scraping(
            management.getHost() + ":" + management.getPort(), prometheusDir)) {
      DeviceSetup.ApiKey bench =
          DeviceSetup.register(node.httpPort(), EntwineRun.ADMIN_TOKEN, "bench", LOAD_DEVICES);
      String figures =
          MqttLoad.run(
              "--port", Integer.toString(node.mqttPort()),
              "--org", "bench",
              "--api-key", bench.key(),
              "--api-token", bench.token(),
              "--connections", Integer.toString(LOAD_DEVICES),
              "--qos", "1",
              "--window", "4",
              "--warmup", "3",
              "--seconds", "15");
      assertTrue(
          figures.startsWith("connections=" + LOAD_DEVICES + " ")
              && !figures.contains(" throughput=0 "),
          "every device connected and published: " + figures);

      List<PanelQuery> queries = MonitoringFiles.panelQueries();
      // on a timeout, the panel queries still without a series
      TestNode.awaitValue(WAIT, () -> emptyPanelQueries(prometheus, queries), List::isEmpty);
    }
  }

  /** The panel queries (with their substituted form) that return no series with a value. */
  private static List<String> emptyPanelQueries(
      PrometheusServer prometheus, List<PanelQuery> queries) {
    Map<JsonNode, GrafanaVariables> variables = new HashMap<>();
    List<String> empty = new ArrayList<>();
    for (PanelQuery query : queries) {
      String promql =
          variables
              .computeIfAbsent(
                  query.dashboard(),
                  dashboard ->
                      GrafanaVariables.of(
                          dashboard, prometheus::labelValues, PrometheusServer.SCRAPE_INTERVAL))
              .substitute(query.expr());
      boolean drawn = false;
      for (JsonNode series : prometheus.query(promql)) {
        drawn |= !series.path("value").path(1).asText().equals("NaN");
      }
      if (!drawn) {
        empty.add(query + " (sent as " + promql + ")");
      }
    }
    return empty;
  }

  @Test
  void everyLogLineIsAJsonObjectWithTimeLevelLoggerAndMessage() throws Exception {
    List<String> lines = TestNode.awaitValue(WAIT, OperationsIT::logLines, l -> clientIdLogged(l));
    assertFalse(lines.isEmpty());
    for (String line : lines) {
      JsonNode entry;
      try {
        entry = JSON.readTree(line);
      } catch (IOException notJson) {
        throw new AssertionError("Not a JSON line: " + line, notJson);
      }
      assertTrue(entry.isObject(), line);
      assertTrue(
          entry
              .path("time")
              .asText()
              .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
          "time: " + line);
      assertFalse(entry.path("level").asText().isEmpty(), "level: " + line);
      assertFalse(entry.path("loggerName").asText().isEmpty(), "logger: " + line);
      assertTrue(entry.has("formattedMessage"), "message: " + line);
    }
  }

  /** The issue's own check of the JSON log: Python's parser accepts it line by line. */
  @Test
  void pythonsJsonToolAcceptsTheLogLineByLine(@TempDir Path copy) throws Exception {
    Assumptions.assumeTrue(CommandLineTools.runs("python3"), "python3 is not installed");
    List<String> lines = TestNode.awaitValue(WAIT, OperationsIT::logLines, l -> clientIdLogged(l));
    Path log = Files.write(copy.resolve("node.log"), lines);
    Process jsonTool =
        new ProcessBuilder("python3", "-m", "json.tool", "--json-lines", log.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String errors = new String(jsonTool.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(jsonTool.waitFor(60, TimeUnit.SECONDS), "python3 -m json.tool hangs");
    assertEquals(0, jsonTool.exitValue(), "python3 -m json.tool --json-lines: " + errors);
  }

  @Test
  void statusPrintsTheNodesMembersTwinsConnectionsAndLag() {
    EntwineCommand.Result status =
        EntwineCommand.run(
            Map.of(), Duration.ofSeconds(60), "status", "--management", node.managementUrl());

    assertEquals(0, status.exitStatus(), status.output());
    String out = status.output();
    assertTrue(out.contains(" Up "), out);
    assertTrue(out.matches("(?s).*twins in memory\\s+[1-9].*"), out);
    assertTrue(out.contains("MQTT connections"), out);
    assertTrue(out.contains("historian"), out);
    assertTrue(out.contains("registry"), out);
  }

  /** The refused CONNECT's log line names the client id as structured context. */
  private static boolean clientIdLogged(List<String> lines) {
    return lines.stream().anyMatch(line -> line.contains("\"clientId\":\"d:" + device.org()));
  }

  private static List<String> logLines() {
    try {
      return Files.readAllLines(node.log(), StandardCharsets.UTF_8).stream()
          .filter(line -> !line.isBlank())
          .toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(node.managementUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}

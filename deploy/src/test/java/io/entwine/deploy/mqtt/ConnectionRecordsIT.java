package io.entwine.deploy.mqtt;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.LocalCluster;
import io.entwine.deploy.testing.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;

/**
 * The connection records of a node killed by PID (docs/adr/0070): its clients stay {@code
 * connected} in IBM's client connection states only until the node is back, then are recorded as
 * disconnected, with a closing entry in the device's connection log; a client of the new
 * incarnation stays connected.
 */
class ConnectionRecordsIT {
  private static final Duration LEASE = Duration.ofSeconds(6);
  private static final Duration RECORD_LAG = Duration.ofSeconds(90);

  @Test
  void theClientsOfAKilledNodeAreShownDisconnectedOnceItIsBack() throws Exception {
    Path logs = Path.of("target", "it-logs", "connection-records-" + System.currentTimeMillis());
    try (LocalCluster cluster =
        LocalCluster.startOnSharedCassandra(
            1, logs, Map.of("ENTWINE_CONNECTIONS_NODE_LEASE", LEASE.toSeconds() + "s"))) {
      NodeProcess node = cluster.node(1);
      ApiClient api = new ApiClient(LocalCluster.ADMIN_TOKEN);
      ApiKey key = api.organizationWithApiKey(node.baseUrl());
      Device crashed = api.register(node.baseUrl(), key, "meter", "crashed");
      Device later = api.register(node.baseUrl(), key, "meter", "later");

      MqttClient client = Paho.device(node.mqttUri(), crashed);
      awaitStatus(api, node, key, crashed, "connected");

      node.kill();
      // Paho closes only a client that has seen its connection end, which takes it a moment
      awaitValue(RECORD_LAG, client::isConnected, connected -> !connected);
      client.close(true);

      node.restart();
      node.awaitReady(Duration.ofSeconds(120));
      MqttClient laterClient = Paho.device(node.mqttUri(), later);
      try {
        JsonNode ended = awaitStatus(api, node, key, crashed, "disconnected");
        assertTrue(ended.has("lastDisconnectTime"), ended.toString());
        JsonNode log =
            api.withApiKey(
                    node.baseUrl(),
                    key,
                    "GET",
                    "/api/v0002/logs/connection?typeId=meter&deviceId=crashed",
                    null)
                .json();
        assertTrue(
            log.get(0).get("message").asText().contains("node that held the connection stopped"),
            log.toString());

        awaitStatus(api, node, key, later, "connected");
        // no event tells that a sweep passed it by: wait out two leases' worth of sweeps
        long since = System.nanoTime();
        awaitValue(
            RECORD_LAG,
            () -> System.nanoTime() - since > LEASE.multipliedBy(2).toNanos(),
            waited -> waited);
        assertEquals(
            "connected", state(api, node, key, later).path("connectionStatus").asText("?"));
      } finally {
        laterClient.disconnect();
        laterClient.close();
      }
    }
  }

  private static JsonNode awaitStatus(
      ApiClient api, NodeProcess node, ApiKey key, Device device, String status) {
    return awaitValue(
        RECORD_LAG,
        () -> state(api, node, key, device),
        state -> status.equals(state.path("connectionStatus").asText()));
  }

  private static JsonNode state(ApiClient api, NodeProcess node, ApiKey key, Device device) {
    ApiClient.Response response =
        api.withApiKey(
            node.baseUrl(),
            key,
            "GET",
            "/api/v0002/clientconnectionstates/" + Paho.clientId(device),
            null);
    return response.status() == 200 ? response.json() : MissingNode.getInstance();
  }
}

package io.entwine.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.datastax.oss.driver.api.core.CqlSession;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.Journal;
import io.entwine.deploy.testing.LocalCluster;
import io.entwine.deploy.testing.MetricsScrape;
import io.entwine.deploy.testing.NodeProcess;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's "a node can be added and removed under load": two nodes take HTTP and MQTT QoS 1 load;
 * a third joins and serves; then the oldest (home of the shard coordinators) leaves gracefully on
 * SIGTERM, after the devices' "load balancer" stopped sending it new requests, as Kubernetes does.
 * Devices see only 200 and 503 (never a 500, never an unanswered request), nothing acknowledged is
 * lost, and the two remaining nodes carry on.
 */
class ScaleOutAndInIT {
  /** Longer than the node's ask timeout (10 s): every request must be answered. */
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  private static final Duration STEP = Duration.ofSeconds(60);
  private static final int HTTP_DEVICES = 6;
  private static final int MQTT_DEVICES = 3;

  @Test
  void aNodeJoinsAndServesAndTheOldestLeavesUnderLoadLosingNothing() throws Exception {
    Path logs = Path.of("target", "it-logs", "scale-out-in-" + System.currentTimeMillis());
    try (LocalCluster cluster = LocalCluster.startOnSharedCassandra(2, logs, Map.of())) {
      NodeProcess oldest = cluster.node(1);
      List<NodeProcess> serving = new CopyOnWriteArrayList<>(cluster.nodes());
      ApiClient api = new ApiClient(LocalCluster.ADMIN_TOKEN);
      ApiKey apiKey = api.organizationWithApiKey(oldest.baseUrl());
      List<Device> devices = new ArrayList<>();
      for (int i = 0; i < HTTP_DEVICES + MQTT_DEVICES + 1; i++) {
        devices.add(api.register(oldest.baseUrl(), apiKey, "meter", "s" + i));
      }
      Device joinsLate = devices.remove(devices.size() - 1);

      try (FailoverLoad load = new FailoverLoad(api, apiKey, CLIENT_TIMEOUT)) {
        for (int i = 0; i < devices.size(); i++) {
          if (i < HTTP_DEVICES) {
            load.httpDevice(devices.get(i), () -> serving);
          } else {
            load.mqttDevice(devices.get(i), () -> serving, i);
          }
        }
        awaitEveryDeviceAcknowledgedSince(load, devices, 0);

        // scale out
        NodeProcess added = cluster.addNode();
        serving.add(added);
        for (Device device : devices) {
          // ready means its regions registered with the coordinators (ShardingReadiness); a 503
          // still says "retry later" on a loaded machine, and the client does, like the load's
          ApiClient.Response read =
              TestNode.awaitValue(
                  STEP,
                  () -> api.lastEvents(added.baseUrl(), apiKey, device, CLIENT_TIMEOUT),
                  response -> response.status() != 503);
          assertEquals(200, read.status(), device.id() + " read through the new node: " + read);
        }
        load.mqttDevice(joinsLate, () -> serving, serving.indexOf(added));
        devices.add(joinsLate);
        // the coordinator moves shards to the new node (a rebalance round every 10 s)
        TestNode.awaitValue(
            STEP,
            () -> metric(added, "entwine_entities_active{type=\"DeviceTwin\"}"),
            twins -> twins > 0);
        awaitEveryDeviceAcknowledgedSince(load, devices, System.nanoTime());

        // scale in: no new requests to the oldest node, then SIGTERM
        serving.remove(oldest);
        long drainedFrom = System.nanoTime();
        awaitEveryDeviceAcknowledgedSince(load, devices, drainedFrom);
        oldest.stop();
        assertFalse(oldest.isAlive());
        awaitEveryDeviceAcknowledgedSince(load, devices, System.nanoTime());
        TestNode.awaitValue(
            STEP, () -> metric(added, "entwine_cluster_members{status=\"Up\"}"), up -> up == 2);
        load.close();

        System.out.printf(
            "Scale out and in: HTTP statuses %s; acknowledged per device %s%n",
            load.statuses(), devices.stream().map(d -> load.acknowledged(d).size()).toList());
        assertEquals(List.of(), load.problems());
        Set<Integer> statuses = new HashSet<>(load.statuses().keySet());
        statuses.removeAll(Set.of(200, 503));
        assertEquals(Set.of(), statuses, "only 200 or 503: " + load.statuses());
        try (CqlSession session = SharedCassandra.openSession()) {
          for (Device device : devices) {
            assertEquals(
                Set.of(),
                Journal.missing(session, cluster.keyspace(), device, load.acknowledged(device)),
                "acknowledged events of " + device.id() + " missing from the journal");
          }
        }
      }
    }
  }

  /**
   * Waits until every device had two events acknowledged after {@code nanoTime}: the second one was
   * sent after the first was answered, so to a node chosen after {@code nanoTime}.
   */
  private static void awaitEveryDeviceAcknowledgedSince(
      FailoverLoad load, List<Device> devices, long nanoTime) {
    TestNode.awaitValue(
        STEP,
        () -> devices.stream().allMatch(d -> load.acknowledgedSince(d, nanoTime) >= 2),
        allSent -> allSent);
  }

  private static double metric(NodeProcess node, String series) {
    return MetricsScrape.scrape(node.managementUrl()).getOrDefault(series, 0.0);
  }
}

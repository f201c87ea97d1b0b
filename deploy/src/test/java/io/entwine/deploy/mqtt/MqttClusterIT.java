package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.mqtt.Paho.Inbox;
import io.entwine.deploy.mqtt.Paho.Received;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.TestNode;
import io.entwine.deploy.testing.TwoNodeCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes of one cluster (two actor systems in this JVM, one keyspace): what a client does on one
 * node reaches clients on the other — events through the organization's cluster-wide live feed,
 * commands through the twin, and a client id connected twice is closed on the node it connected to
 * first. Twins are placed by sharding, so each test uses several devices to have twins on both.
 */
class MqttClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final TwoNodeCluster cluster = new TwoNodeCluster();
  private static final TestNode first = cluster.first();
  private static final TestNode second = cluster.second();
  private static final Fixtures fixtures = cluster.fixtures();
  @NewOrganization private ApiKey apiKey;

  @Test
  void subscriberOnOneNodeReceivesEventsOfDevicesConnectedToTheOther() throws Exception {
    List<Device> devices = cluster.devicesOnBothNodes(apiKey, "meter", "m-", 4);
    try (Inbox app =
        Paho.applicationInbox(first.mqttUri(), apiKey, "dashboard")
            .subscribe("iot-2/type/meter/id/+/evt/+/fmt/+", 1)) {
      awaitSubscriptionSeenByEveryNode(app);
      Set<String> expected = new HashSet<>();
      for (Device device : devices) {
        MqttClient client = Paho.device(second.mqttUri(), device);
        try {
          client.publish("iot-2/evt/reading/fmt/json", Paho.message("{\"d\":{\"v\":1}}", 1));
        } finally {
          Paho.closeQuietly(client);
        }
        expected.add("iot-2/type/meter/id/" + device.id() + "/evt/reading/fmt/json");
      }
      Set<String> seen = new HashSet<>();
      while (!seen.containsAll(expected)) {
        seen.add(app.next(WAIT, m -> m.topic().endsWith("/evt/reading/fmt/json")).topic());
      }
    }
  }

  /**
   * A new subscription reaches the other node's copy of the live feed with the next gossip of
   * Pekko's receptionist: a probe application connects on the other node until the status message
   * that node publishes for it arrives here.
   */
  private void awaitSubscriptionSeenByEveryNode(Inbox app) throws Exception {
    app.subscribe("iot-2/app/probe/mon", 0);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      MqttClient probe = Paho.application(second.mqttUri(), apiKey, "probe");
      Paho.closeQuietly(probe);
      Received received = app.messages.poll(200, TimeUnit.MILLISECONDS);
      if (received != null && received.topic().equals("iot-2/app/probe/mon")) {
        app.messages.clear();
        return;
      }
    }
    throw new AssertionError("the subscription never reached the other node");
  }

  @Test
  void commandFromAnApplicationOnOneNodeReachesDevicesOnTheOther() throws Exception {
    for (String id : List.of("v-1", "v-2", "v-3")) {
      Device valve = fixtures.register(apiKey, "valve", id);
      try (Inbox device =
          Paho.deviceInbox(second.mqttUri(), valve, true).subscribe("iot-2/cmd/+/fmt/+", 2)) {
        MqttClient app = Paho.application(first.mqttUri(), apiKey, "controller");
        try {
          app.publish(
              "iot-2/type/valve/id/" + id + "/cmd/close/fmt/json", Paho.message("{\"d\":{}}", 2));
        } finally {
          Paho.closeQuietly(app);
        }
        Received command = device.next(WAIT);
        assertEquals("iot-2/cmd/close/fmt/json", command.topic());
        assertEquals(2, command.qos());
      }
    }
  }

  @Test
  void connectingOnTheOtherNodeTakesTheClientIdOverAndResumesThePersistentSession()
      throws Exception {
    Device valve = fixtures.register(apiKey, "valve", "v-9");
    Inbox onFirst =
        Paho.deviceInbox(first.mqttUri(), valve, false).subscribe("iot-2/cmd/+/fmt/+", 1);
    try (Inbox onSecond = Paho.deviceInbox(second.mqttUri(), valve, false)) {
      assertTrue(onFirst.lostWithin(WAIT), "the first node closed the older connection");
      assertTrue(onSecond.sessionPresent, "the session stored by the first node");
      assertFalse(onSecond.lostWithin(Duration.ofMillis(300)));

      MqttClient app = Paho.application(first.mqttUri(), apiKey, "controller");
      try {
        app.publish("iot-2/type/valve/id/v-9/cmd/open/fmt/text", Paho.message("now", 1));
      } finally {
        Paho.closeQuietly(app);
      }
      Received command = onSecond.next(WAIT);
      assertEquals("iot-2/cmd/open/fmt/text", command.topic());
      assertEquals("now", command.payload());
    } finally {
      onFirst.close();
    }
  }

  /**
   * A clean claim over a clean session is held in memory and written only when the session stops
   * (ADR 0068): one client id connected on both nodes still ends with one live connection, both
   * while its session is resident and after it passivated ({@code
   * entwine.mqtt.clean-session-linger}, 1 s, after the last claim).
   */
  @Test
  void aCleanClientIdConnectedOnBothNodesKeepsOneLiveConnectionAlsoAfterItsSessionPassivated()
      throws Exception {
    Device valve = fixtures.register(apiKey, "valve", "v-10");
    Inbox onFirst = Paho.deviceInbox(first.mqttUri(), valve, true);
    Inbox onSecond = Paho.deviceInbox(second.mqttUri(), valve, true);
    Inbox again = null;
    try {
      assertTrue(onFirst.lostWithin(WAIT), "the resident session closed the older connection");
      assertFalse(
          onSecond.lostWithin(Duration.ofSeconds(3)), "the newer one stays, past the linger");
      again = Paho.deviceInbox(first.mqttUri(), valve, true);
      assertTrue(onSecond.lostWithin(WAIT), "the holder the passivated session wrote is closed");
      assertFalse(again.lostWithin(Duration.ofMillis(300)));
    } finally {
      onFirst.close();
      onSecond.close();
      if (again != null) {
        again.close();
      }
    }
  }

  /**
   * The application's session collects on whichever node sharding placed it; a subscription made
   * there reaches the device's node with the receptionist's next gossip, so the device keeps
   * publishing for a while and the test asserts on the newest messages, complete and in order.
   */
  @Test
  void applicationResumesOnTheOtherNodeWithWhatDevicesThereSentWhileItWasAway() throws Exception {
    Device meter = fixtures.register(apiKey, "meter", "away-1");
    String clientId = "a:" + apiKey.org() + ":historian";
    try (Inbox app =
        Paho.inbox(first.mqttUri(), clientId, apiKey.key(), apiKey.token(), false)
            .subscribe("iot-2/type/meter/id/+/evt/+/fmt/+", 1)) {
      assertFalse(app.sessionPresent);
    }
    int published = 20;
    MqttClient device = Paho.device(second.mqttUri(), meter);
    try {
      for (int n = 1; n <= published; n++) {
        device.publish("iot-2/evt/n" + n + "/fmt/json", Paho.message("{}", 1));
        Thread.sleep(150); // spread over the receptionist's gossip interval, not a wait for state
      }
    } finally {
      Paho.closeQuietly(device);
    }

    try (Inbox app = Paho.inbox(second.mqttUri(), clientId, apiKey.key(), apiKey.token(), false)) {
      assertTrue(app.sessionPresent);
      List<Integer> received = new java.util.ArrayList<>();
      while (received.isEmpty() || received.get(received.size() - 1) < published) {
        String topic = app.next(WAIT).topic();
        received.add(Integer.parseInt(topic.replaceAll(".*/evt/n(\\d+)/fmt/json", "$1")));
      }
      int firstKept = received.get(0);
      assertTrue(firstKept <= published - 5, "kept from n" + firstKept + " on: " + received);
      for (int i = 0; i < received.size(); i++) {
        assertEquals(firstKept + i, received.get(i), "complete and in order: " + received);
      }
    }
  }
}

package io.entwine.deploy.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.ApiClient;
import io.entwine.deploy.testing.EntwineRun;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.Journal;
import io.entwine.deploy.testing.LocalCluster;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash matrix of {@code deploy/bin/entwine run}: while HTTP devices and an MQTT QoS 1 device
 * stream events, SIGKILL the node, its Cassandra, or both; after a restart every event that got a
 * 200 or a PUBACK must be in the journal and, once the projection caught up, in the historian. Once
 * on a data directory whose Cassandra has never been stopped cleanly (Cassandra used to keep the
 * tables' definitions in memory until then), once on one that has.
 */
class CrashDurabilityIT {
  private static final ApiClient API = new ApiClient(EntwineRun.ADMIN_TOKEN);
  private static final String KEYSPACE = "entwine";
  private static final int HTTP_SENDERS = 2;
  // acknowledgements per round and protocol before the kill: the streams are steady by then
  private static final int ACKS_BEFORE_KILL = 150;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private enum Kill {
    NODE,
    CASSANDRA,
    BOTH
  }

  @Test
  void acknowledgedEventsSurviveEveryKillOnAFreshDataDirectory(
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dataDir) throws Exception {
    try (EntwineRun node = EntwineRun.start(dataDir, Map.of())) {
      Streams streams = Streams.create(node);
      for (Kill kill : List.of(Kill.BOTH, Kill.NODE, Kill.CASSANDRA)) {
        crashAndCheck(node, streams, kill);
      }
    }
  }

  @Test
  void acknowledgedEventsSurviveEveryKillAfterACleanRestart(
      @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dataDir) throws Exception {
    try (EntwineRun node = EntwineRun.start(dataDir, Map.of())) {
      Streams streams = Streams.create(node);
      node.restart();
      for (Kill kill : List.of(Kill.CASSANDRA, Kill.NODE, Kill.BOTH)) {
        crashAndCheck(node, streams, kill);
      }
    }
  }

  private static void crashAndCheck(EntwineRun node, Streams streams, Kill kill) throws Exception {
    long cassandraBefore = node.cassandra().orElseThrow().pid();
    streams.runUntilKilled(node, () -> kill(node, kill));
    node.restart();
    long cassandraAfter = node.cassandra().orElseThrow().pid();
    assertEquals(
        kill == Kill.NODE,
        cassandraBefore == cassandraAfter,
        "after a kill of the node alone the restarted node adopts the running Cassandra");
    streams.assertNothingAcknowledgedIsMissing(node, kill);
  }

  private static void kill(EntwineRun node, Kill kill) {
    switch (kill) {
      case NODE -> node.killNode();
      case CASSANDRA -> node.killCassandra();
      case BOTH -> {
        node.killCassandra();
        node.killNode();
      }
    }
  }

  /** One organization's devices streaming events, and every marker that was acknowledged. */
  private static final class Streams {
    private final ApiKey apiKey;
    private final List<Device> httpDevices;
    private final Device mqttDevice;
    private final Map<Device, Set<String>> acknowledged = new ConcurrentHashMap<>();
    private int round;

    private Streams(ApiKey apiKey, List<Device> httpDevices, Device mqttDevice) {
      this.apiKey = apiKey;
      this.httpDevices = httpDevices;
      this.mqttDevice = mqttDevice;
      httpDevices.forEach(device -> acknowledged.put(device, ConcurrentHashMap.newKeySet()));
      acknowledged.put(mqttDevice, ConcurrentHashMap.newKeySet());
    }

    static Streams create(EntwineRun node) {
      ApiKey apiKey = API.organizationWithApiKey(node.baseUrl());
      List<Device> httpDevices = new ArrayList<>();
      for (int i = 0; i < HTTP_SENDERS; i++) {
        httpDevices.add(API.register(node.baseUrl(), apiKey, "crash", "http-" + i));
      }
      return new Streams(
          apiKey, httpDevices, API.register(node.baseUrl(), apiKey, "crash", "mqtt"));
    }

    /** Streams until each protocol had its acknowledgements, kills, and stops the senders. */
    void runUntilKilled(EntwineRun node, Runnable kill) throws Exception {
      round++;
      AtomicBoolean stop = new AtomicBoolean();
      Set<String> roundHttp = ConcurrentHashMap.newKeySet();
      Set<String> roundMqtt = ConcurrentHashMap.newKeySet();
      List<Thread> senders = new ArrayList<>();
      for (Device device : httpDevices) {
        senders.add(started(() -> sendHttp(node, device, stop, roundHttp)));
      }
      MqttClient mqtt = connect(node, mqttDevice);
      senders.add(started(() -> publishMqtt(mqtt, stop, roundMqtt)));
      try {
        TestNode.awaitValue(
            Duration.ofSeconds(90),
            () -> Math.min(roundHttp.size(), roundMqtt.size()),
            acks -> acks >= ACKS_BEFORE_KILL);
        kill.run();
      } finally {
        stop.set(true);
        for (Thread sender : senders) {
          sender.join();
        }
        closeQuietly(mqtt);
      }
    }

    private void sendHttp(EntwineRun node, Device device, AtomicBoolean stop, Set<String> round) {
      for (int seq = 0; !stop.get(); seq++) {
        String marker = marker(device, seq);
        ApiClient.Response response =
            API.sendEvent(node.baseUrl(), device, "status", payload(marker), REQUEST_TIMEOUT);
        if (response.status() == 200) {
          acknowledged.get(device).add(marker);
          round.add(marker);
        }
      }
    }

    private void publishMqtt(MqttClient client, AtomicBoolean stop, Set<String> round) {
      for (int seq = 0; !stop.get(); seq++) {
        String marker = marker(mqttDevice, seq);
        MqttMessage message = new MqttMessage(payload(marker).getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        try {
          // returns once the PUBACK came
          client.publish("iot-2/evt/status/fmt/json", message);
        } catch (MqttException lost) {
          return;
        }
        acknowledged.get(mqttDevice).add(marker);
        round.add(marker);
      }
    }

    private String marker(Device device, int seq) {
      return "r" + round + "-" + device.id() + "-" + seq;
    }

    void assertNothingAcknowledgedIsMissing(EntwineRun node, Kill kill) {
      try (CqlSession session = LocalCluster.openSession(node.cassandraPort())) {
        for (Device device : acknowledged.keySet()) {
          Set<String> missing =
              Journal.missing(session, KEYSPACE, device, acknowledged.get(device));
          assertTrue(missing.isEmpty(), () -> summary(kill, device, missing, "journal"));
        }
      }
      for (Device device : acknowledged.keySet()) {
        Set<String> expected = Set.copyOf(acknowledged.get(device));
        Set<String> missing =
            TestNode.awaitValue(
                Duration.ofSeconds(60),
                () -> {
                  Set<String> left = new TreeSet<>(expected);
                  left.removeAll(historianMarkers(node, device));
                  return left;
                },
                Set::isEmpty);
        assertTrue(missing.isEmpty(), () -> summary(kill, device, missing, "historian"));
      }
    }

    private String summary(Kill kill, Device device, Set<String> missing, String where) {
      return "after a kill of "
          + kill
          + ", "
          + missing.size()
          + " of "
          + acknowledged.get(device).size()
          + " acknowledged events of "
          + device.id()
          + " are missing from the "
          + where
          + ", e.g. "
          + missing.stream().limit(10).toList();
    }

    private Set<String> historianMarkers(EntwineRun node, Device device) {
      Set<String> markers = new HashSet<>();
      for (JsonNode record :
          API.historian(
              node.baseUrl(), apiKey, "/" + device.type() + "/" + device.id() + "?top=100")) {
        markers.add(record.path("evt").path("d").path("m").asText());
      }
      return markers;
    }

    private static Thread started(Runnable sender) {
      Thread thread = new Thread(sender, "crash-sender");
      thread.start();
      return thread;
    }

    private static String payload(String marker) {
      return "{\"d\":{\"m\":\"" + marker + "\"}}";
    }

    private static MqttClient connect(EntwineRun node, Device device) throws MqttException {
      MqttClient client =
          new MqttClient(
              node.mqttUri(),
              "d:" + device.org() + ":" + device.type() + ":" + device.id(),
              new MemoryPersistence());
      // the first CONNECT after a restart waits for the device's twin to recover
      client.setTimeToWait(Duration.ofSeconds(60).toMillis());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      options.setCleanSession(true);
      options.setUserName("use-token-auth");
      options.setPassword(device.token().toCharArray());
      options.setConnectionTimeout(60);
      client.connect(options);
      client.setTimeToWait(REQUEST_TIMEOUT.toMillis());
      return client;
    }

    private static void closeQuietly(MqttClient client) {
      try {
        if (client.isConnected()) {
          client.disconnectForcibly(100, 100);
        }
        client.close(true);
      } catch (MqttException e) {
        // the node is gone
      }
    }
  }
}

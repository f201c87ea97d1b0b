package io.entwine.deploy.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.deploy.mqtt.Paho;
import io.entwine.deploy.streams.SseClient.Event;
import io.entwine.deploy.streams.SseClient.Headers;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import io.entwine.deploy.testing.TwoNodeCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes of one cluster (two actor systems in this JVM, one keyspace): a stream client on one
 * node sees the events and status of devices whose twins and connections are on either node.
 */
class StreamClusterIT {
  private static final Duration ARRIVAL = Duration.ofSeconds(30);

  @RegisterExtension static final TwoNodeCluster cluster = new TwoNodeCluster();
  private static final TestNode first = cluster.first();
  private static final TestNode second = cluster.second();
  private static final Fixtures fixtures = cluster.fixtures();

  @Test
  void aStreamOnOneNodeSeesDevicesOfBoth() throws Exception {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    List<Device> devices = cluster.devicesOnBothNodes(apiKey, "meter", "m-", 4);
    try (SseClient stream =
        SseClient.open(
            second,
            "/api/v0002/streams/events",
            Headers.basic(apiKey.org(), apiKey.key(), apiKey.token()))) {
      assertEquals(200, stream.status());
      for (Device device : devices) {
        MqttClient client = Paho.device(first.mqttUri(), device);
        client.publish(
            "iot-2/evt/reading/fmt/json",
            "{\"d\":{\"v\":1}}".getBytes(StandardCharsets.UTF_8),
            1,
            false);
        client.disconnect();
        client.close();
      }
      Set<String> eventsFrom = new HashSet<>();
      Set<String> statusFrom = new HashSet<>();
      while (eventsFrom.size() < devices.size()) {
        Event event = stream.next(ARRIVAL);
        if ("event".equals(event.event())) {
          eventsFrom.add(event.data().get("deviceId").asText());
        } else if ("status".equals(event.event())) {
          statusFrom.add(event.data().get("deviceId").asText());
        }
      }
      assertEquals(Set.of("m-1", "m-2", "m-3", "m-4"), eventsFrom);
      // the live feed reaches the other node once its subscription has spread; status of the
      // devices connected to the first node arrives on the second (all four, or at least later)
      MqttClient late = Paho.device(first.mqttUri(), devices.get(0));
      late.disconnect();
      late.close();
      while (statusFrom.isEmpty()) {
        Event event = stream.next(ARRIVAL);
        if ("status".equals(event.event())) {
          statusFrom.add(event.data().get("deviceId").asText());
        }
      }
    }
  }
}

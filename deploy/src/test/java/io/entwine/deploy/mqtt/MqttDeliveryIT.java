package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.mqtt.Paho.Inbox;
import io.entwine.deploy.mqtt.Paho.Received;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery to real Paho clients from a real node and Cassandra: device events to subscribed
 * applications, application commands to subscribed devices (also after an offline period with a
 * persistent session), client-id takeover and IBM's status messages.
 */
class MqttDeliveryIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ALL_EVENTS = "iot-2/type/+/id/+/evt/+/fmt/+";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "sensor", id = "s-1")
  private Device sensor;

  private String uri(String transport) {
    return "ws".equals(transport) ? node.mqttWebSocketUri() : node.mqttUri();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void applicationReceivesDeviceEventsOfEveryQos(String transport) throws Exception {
    try (Inbox app =
            Paho.applicationInbox(uri(transport), apiKey, "dashboard").subscribe(ALL_EVENTS, 2);
        Inbox device = Paho.deviceInbox(uri(transport), sensor, true)) {
      for (int qos = 0; qos <= 2; qos++) {
        device.client.publish(
            "iot-2/evt/q" + qos + "/fmt/json", Paho.message("{\"d\":{\"qos\":" + qos + "}}", qos));
      }
      for (int qos = 0; qos <= 2; qos++) {
        Received received = app.next(WAIT);
        assertEquals("iot-2/type/sensor/id/s-1/evt/q" + qos + "/fmt/json", received.topic());
        assertEquals("{\"d\":{\"qos\":" + qos + "}}", received.payload());
        assertEquals(qos, received.qos(), "the lower of publish and subscription QoS");
      }
    }
  }

  @Test
  void applicationSubscribedToOneDeviceTypeGetsNothingOfAnother() throws Exception {
    Device lamp = fixtures.register(apiKey, "lamp", "l-1");
    try (Inbox app =
            Paho.applicationInbox(node.mqttUri(), apiKey, "sensors-only")
                .subscribe("iot-2/type/sensor/id/+/evt/+/fmt/+", 1);
        Inbox lampClient = Paho.deviceInbox(node.mqttUri(), lamp, true);
        Inbox sensorClient = Paho.deviceInbox(node.mqttUri(), sensor, true)) {
      lampClient.client.publish("iot-2/evt/status/fmt/json", Paho.message("{\"lamp\":1}", 1));
      sensorClient.client.publish("iot-2/evt/status/fmt/json", Paho.message("{\"sensor\":1}", 1));
      Received received = app.next(WAIT);
      assertEquals("iot-2/type/sensor/id/s-1/evt/status/fmt/json", received.topic());
      assertNull(app.messages.poll(300, TimeUnit.MILLISECONDS), "the lamp's event came first");
    }
  }

  @Test
  void commandPublishedByAnApplicationReachesOnlyItsSubscribedDevice() throws Exception {
    Device other = fixtures.register(apiKey, "sensor", "s-2");
    try (Inbox device =
            Paho.deviceInbox(node.mqttUri(), sensor, true).subscribe("iot-2/cmd/+/fmt/json", 1);
        Inbox bystander =
            Paho.deviceInbox(node.mqttUri(), other, true).subscribe("iot-2/cmd/+/fmt/+", 1)) {
      MqttClient app = Paho.application(node.mqttUri(), apiKey, "controller");
      try {
        app.publish(
            "iot-2/type/sensor/id/s-1/cmd/reboot/fmt/json",
            Paho.message("{\"d\":{\"delay\":5}}", 1));
      } finally {
        Paho.closeQuietly(app);
      }
      Received command = device.next(WAIT);
      assertEquals("iot-2/cmd/reboot/fmt/json", command.topic());
      assertEquals("{\"d\":{\"delay\":5}}", command.payload());
      assertEquals(1, command.qos());
      assertNull(bystander.messages.poll(300, TimeUnit.MILLISECONDS), "not another device's");
      TestNode.awaitValue(
          WAIT, () -> commandStatuses(sensor), statuses -> statuses.equals("[\"delivered\"]"));
    }
  }

  @Test
  void persistentSessionGetsTheCommandsSentWhileTheDeviceWasOffline() throws Exception {
    try (Inbox device = Paho.deviceInbox(node.mqttUri(), sensor, false)) {
      assertFalse(device.sessionPresent);
      device.subscribe("iot-2/cmd/+/fmt/+", 1);
    }
    MqttClient app = Paho.application(node.mqttUri(), apiKey, "controller");
    try {
      app.publish("iot-2/type/sensor/id/s-1/cmd/open/fmt/text", Paho.message("while away", 1));
    } finally {
      Paho.closeQuietly(app);
    }
    assertEquals("[\"queued\"]", commandStatuses(sensor));

    try (Inbox device = Paho.deviceInbox(node.mqttUri(), sensor, false)) {
      assertTrue(device.sessionPresent);
      Received command = device.next(WAIT);
      assertEquals("iot-2/cmd/open/fmt/text", command.topic());
      assertEquals("while away", command.payload());
      // Still connected: the client acknowledges after handing the message over, and a
      // disconnect before that leaves the command queued for the next session.
      TestNode.awaitValue(
          WAIT, () -> commandStatuses(sensor), statuses -> statuses.equals("[\"delivered\"]"));
    }
  }

  @Test
  void applicationWithAPersistentSessionGetsWhatWasPublishedWhileItWasAway() throws Exception {
    String clientId = "a:" + apiKey.org() + ":archive";
    try (Inbox monitor =
        Paho.applicationInbox(node.mqttUri(), apiKey, "monitor")
            .subscribe("iot-2/app/archive/mon", 0)) {
      try (Inbox app =
          Paho.inbox(node.mqttUri(), clientId, apiKey.key(), apiKey.token(), false)
              .subscribe(ALL_EVENTS, 1)) {
        assertFalse(app.sessionPresent);
      }
      monitor.next(WAIT, m -> m.payload().contains("\"Disconnect\""));
    }
    try (Inbox device = Paho.deviceInbox(node.mqttUri(), sensor, true)) {
      for (int i = 1; i <= 3; i++) {
        device.client.publish(
            "iot-2/evt/away" + i + "/fmt/json", Paho.message("{\"d\":{\"n\":" + i + "}}", 1));
      }
      device.client.publish("iot-2/evt/fleeting/fmt/json", Paho.message("{}", 0));
    }

    try (Inbox app = Paho.inbox(node.mqttUri(), clientId, apiKey.key(), apiKey.token(), false)) {
      assertTrue(app.sessionPresent);
      for (int i = 1; i <= 3; i++) {
        Received received = app.next(WAIT);
        assertEquals("iot-2/type/sensor/id/s-1/evt/away" + i + "/fmt/json", received.topic());
        assertEquals(1, received.qos());
      }
      assertNull(
          app.messages.poll(300, TimeUnit.MILLISECONDS), "QoS 0 events are not kept (ADR 0020)");
    }
  }

  @Test
  void secondConnectionWithTheSameClientIdDisconnectsTheFirst() throws Exception {
    try (Inbox first = Paho.applicationInbox(node.mqttUri(), apiKey, "dashboard");
        Inbox second = Paho.applicationInbox(node.mqttUri(), apiKey, "dashboard")) {
      assertTrue(first.lostWithin(WAIT), "the first connection is closed");
      assertTrue(second.client.isConnected());
      assertFalse(second.lostWithin(Duration.ofMillis(300)));
    }
  }

  @Test
  void statusMessagesOfDevicesAndApplicationsCarryIbmsFields() throws Exception {
    try (Inbox monitor =
        Paho.applicationInbox(node.mqttUri(), apiKey, "monitor")
            .subscribe("iot-2/type/+/id/+/mon", 0)
            .subscribe("iot-2/app/+/mon", 0)) {
      try (Inbox device = Paho.deviceInbox(node.mqttUri(), sensor, true)) {
        device.client.publish("iot-2/evt/status/fmt/json", Paho.message("{\"d\":{}}", 1));
      }
      JsonNode connect = status(monitor, "iot-2/type/sensor/id/s-1/mon", "Connect");
      assertEquals(Paho.clientId(sensor), connect.get("ClientID").asText());
      assertEquals("127.0.0.1", connect.get("ClientAddr").asText());
      assertEquals(java.net.URI.create(node.mqttUri()).getPort(), connect.get("Port").asInt());
      assertEquals("mqtt4-tcp", connect.get("Protocol").asText());
      assertEquals("use-token-auth", connect.get("User").asText());
      Instant connectTime = Instant.parse(connect.get("ConnectTime").asText());
      assertFalse(Instant.parse(connect.get("Time").asText()).isBefore(connectTime));

      JsonNode disconnect = status(monitor, "iot-2/type/sensor/id/s-1/mon", "Disconnect");
      assertEquals("The connection has completed normally.", disconnect.get("Reason").asText());
      assertEquals(1, disconnect.get("ReadMsg").asInt());
      assertEquals(0, disconnect.get("WriteMsg").asInt());
      assertTrue(disconnect.get("ReadBytes").asInt() > 0);
      assertTrue(disconnect.get("WriteBytes").asInt() >= 8, "CONNACK and PUBACK");
      assertEquals(connectTime.toString(), disconnect.get("ConnectTime").asText());

      try (Inbox other = Paho.applicationInbox(node.mqttWebSocketUri(), apiKey, "other-app")) {
        JsonNode app = status(monitor, "iot-2/app/other-app/mon", "Connect");
        assertEquals(apiKey.key(), app.get("User").asText());
        assertEquals("mqtt4-ws", app.get("Protocol").asText());
      }
    }
  }

  private static JsonNode status(Inbox monitor, String topic, String action) throws Exception {
    Received received =
        monitor.next(
            WAIT,
            message ->
                message.topic().equals(topic)
                    && message.payload().contains("\"Action\":\"" + action + "\""));
    return JSON.readTree(received.payload());
  }

  /** The device's command statuses through the HTTP API, as a JSON array of strings. */
  private String commandStatuses(Device device) {
    TestNode.Response response =
        node.request(
                "GET",
                "/api/v0002/application/types/"
                    + device.type()
                    + "/devices/"
                    + device.id()
                    + "/commands")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(200, response.status(), response.body());
    StringBuilder statuses = new StringBuilder("[");
    for (JsonNode command : response.json()) {
      statuses.append(statuses.length() > 1 ? "," : "").append(command.get("status"));
    }
    return statuses.append("]").toString();
  }
}

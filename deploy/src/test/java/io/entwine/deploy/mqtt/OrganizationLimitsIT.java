package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An organization's limits and adapter switches on the edges whose twin authenticates the sender,
 * against a real node and Cassandra: Eclipse Paho over MQTT (refused at CONNECT with return code 5
 * when {@code ibm-mqtt} is off; a publish over a limit closes the connection, unacknowledged and
 * unrecorded, as in the Eclipse Hono 1.2 MQTT adapter user guide) and the JDK HTTP client on IBM
 * HTTP events (403, 413, 429, nothing recorded).
 */
class OrganizationLimitsIT extends WithMqttClient {
  private static final String EVENT = "{\"d\":{\"temp\":21.5}}";

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "sensor", id = "s-1")
  private Device device;

  // ---- MQTT ----

  @Test
  void publishesWithinTheLimitsAreRecordedAndAcknowledged() throws Exception {
    setLimits("{\"messages-per-period\":3,\"period-seconds\":3600,\"max-payload-bytes\":64}");
    client = Paho.device(node.mqttUri(), device);

    for (String event : new String[] {"e1", "e2", "e3"}) {
      client.publish("iot-2/evt/" + event + "/fmt/json", Paho.message(EVENT, 1));
    }

    assertEquals(Set.of("e1", "e2", "e3"), eventIds(device));
    assertTrue(client.isConnected());
  }

  @Test
  void closesTheConnectionOnAQos1PublishOverTheBudgetAndRecordsNothing() throws Exception {
    setLimits("{\"messages-per-period\":2,\"period-seconds\":3600}");
    client = Paho.device(node.mqttUri(), device);
    client.publish("iot-2/evt/e1/fmt/json", Paho.message(EVENT, 1));
    client.publish("iot-2/evt/e2/fmt/json", Paho.message(EVENT, 1));

    MqttException lost =
        assertThrows(
            MqttException.class,
            () -> client.publish("iot-2/evt/e3/fmt/json", Paho.message(EVENT, 1)));

    assertEquals(MqttException.REASON_CODE_CONNECTION_LOST, lost.getReasonCode(), lost.toString());
    Paho.awaitDisconnected(client);
    assertEquals(Set.of("e1", "e2"), eventIds(device));
  }

  @Test
  void closesTheConnectionOnAQos0PublishOverTheBudgetAndRecordsNothing() throws Exception {
    setLimits("{\"messages-per-period\":1,\"period-seconds\":3600}");
    client = Paho.device(node.mqttUri(), device);
    client.publish("iot-2/evt/e1/fmt/json", Paho.message(EVENT, 1));

    client.publish("iot-2/evt/e2/fmt/json", Paho.message(EVENT, 0));

    Paho.awaitDisconnected(client);
    assertEquals(Set.of("e1"), eventIds(device));
  }

  @Test
  void closesTheConnectionOnAPayloadOverTheOrganizationsLimitAndRecordsNothing() throws Exception {
    setLimits("{\"max-payload-bytes\":16}");
    client = Paho.device(node.mqttUri(), device);
    client.publish("iot-2/evt/small/fmt/text", Paho.message("sixteen bytes...", 1));

    assertThrows(
        MqttException.class,
        () -> client.publish("iot-2/evt/large/fmt/text", Paho.message("seventeen bytes..", 1)));

    Paho.awaitDisconnected(client);
    assertEquals(Set.of("small"), eventIds(device));
  }

  @Test
  void refusesADeviceAtConnectWhileItsOrganizationHasMqttSwitchedOff() throws Exception {
    switchAdapter(apiKey.org(), "ibm-mqtt", false);
    Paho.assertNotAuthorized(
        node.mqttUri(), Paho.clientId(device), Paho.DEVICE_USERNAME, device.token());

    switchAdapter(apiKey.org(), "ibm-mqtt", true);
    client = Paho.device(node.mqttUri(), device);
    client.publish("iot-2/evt/back/fmt/json", Paho.message(EVENT, 1));
    assertEquals(Set.of("back"), eventIds(device));
  }

  @Test
  void closesAConnectedDeviceAndAnApplicationPublishingForItOnceMqttIsSwitchedOff()
      throws Exception {
    client = Paho.device(node.mqttUri(), device);
    MqttClient application = Paho.application(node.mqttUri(), apiKey, "ops");
    try {
      switchAdapter(apiKey.org(), "ibm-mqtt", false);

      assertThrows(
          MqttException.class,
          () -> client.publish("iot-2/evt/own/fmt/json", Paho.message(EVENT, 1)));
      assertThrows(
          MqttException.class,
          () ->
              application.publish(
                  "iot-2/type/sensor/id/s-1/evt/forwarded/fmt/json", Paho.message(EVENT, 1)));

      Paho.awaitDisconnected(client);
      Paho.awaitDisconnected(application);
      assertTrue(eventIds(device).isEmpty());
    } finally {
      Paho.closeQuietly(application);
    }
  }

  @Test
  void anotherOrganizationsSwitchAndBudgetDoNotReachThisOne() throws Exception {
    ApiKey other = fixtures.organizationWithApiKey();
    switchAdapter(other.org(), "ibm-mqtt", false);
    switchAdapter(other.org(), "ibm-http", false);

    client = Paho.device(node.mqttUri(), device);
    client.publish("iot-2/evt/mine/fmt/json", Paho.message(EVENT, 1));
    assertEquals(
        200,
        fixtures.sendEvent(device, "web", "application/json", bytes(EVENT)).status(),
        "IBM HTTP");

    assertEquals(Set.of("mine", "web"), eventIds(device));
  }

  // ---- IBM HTTP events ----

  @Test
  void refusesHttpEventsWhileTheAdapterIsOffWith403AndRecordsNothing() {
    switchAdapter(apiKey.org(), "ibm-http", false);

    TestNode.Response refused = fixtures.sendEvent(device, "web", "application/json", bytes(EVENT));
    TestNode.Response impostor =
        fixtures.sendEvent(device, "wrong-token-123456", "web", "application/json", bytes(EVENT));

    assertEquals(403, refused.status(), refused.body());
    assertTrue(refused.body().contains("IBM HTTP adapter"), refused.body());
    assertEquals(401, impostor.status(), "a refusal is told only to the device itself");
    assertTrue(eventIds(device).isEmpty());
  }

  @Test
  void refusesHttpEventsOverThePayloadLimitWith413AndOverTheBudgetWith429() {
    setLimits("{\"messages-per-period\":1,\"period-seconds\":3600,\"max-payload-bytes\":32}");

    TestNode.Response tooLarge =
        fixtures.sendEvent(device, "large", "text/plain", bytes("x".repeat(33)));
    TestNode.Response first = fixtures.sendEvent(device, "first", "text/plain", bytes("ok"));
    TestNode.Response second = fixtures.sendEvent(device, "second", "text/plain", bytes("ok"));

    assertEquals(413, tooLarge.status(), tooLarge.body());
    assertEquals(200, first.status(), first.body());
    assertEquals(429, second.status(), second.body());
    assertTrue(second.body().contains("message limit of 1 per 3600 s"), second.body());
    assertEquals(Set.of("first"), eventIds(device));
  }

  // ---- helpers ----

  private void setLimits(String json) {
    TestNode.Response set =
        node.request("PUT", "/api/v0002/admin/organizations/" + apiKey.org() + "/limits")
            .operator()
            .json(json)
            .send();
    assertEquals(200, set.status(), set.body());
  }

  private void switchAdapter(String org, String adapter, boolean enabled) {
    TestNode.Response set =
        node.request("PUT", "/api/v0002/admin/organizations/" + org + "/adapters/" + adapter)
            .operator()
            .json("{\"enabled\":" + enabled + "}")
            .send();
    assertEquals(200, set.status(), set.body());
  }

  /** The event ids in the device's last-event cache (every one the twin recorded). */
  private Set<String> eventIds(Device of) {
    TestNode.Response response = fixtures.lastEvents(apiKey, of);
    assertEquals(200, response.status(), response.body());
    Set<String> ids = new HashSet<>();
    response.json().forEach(event -> ids.add(event.get("eventId").asText()));
    return ids;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

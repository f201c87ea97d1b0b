package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Devices over MQTT (IBM IoT Foundation MQTT documentation, Devices) against a real node and
 * Cassandra, with Eclipse Paho: events of every QoS reach the twin, QoS 1 and 2 are acknowledged
 * only once persisted, and everything a device may not do is refused with nothing recorded.
 */
class MqttDevicesIT extends WithMqttClient {
  private static final String STATUS = "{\"d\":{\"temp\":21.5},\"ts\":\"2026-11-23T10:00:00Z\"}";

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "sensor", id = "s-1")
  private Device device;

  private String uri(String transport) {
    return "ws".equals(transport) ? node.mqttWebSocketUri() : node.mqttUri();
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void recordsQos1And2EventsBeforeThePublishCompletes(String transport) throws Exception {
    client = Paho.device(uri(transport), device);

    client.publish("iot-2/evt/q1/fmt/json", Paho.message(STATUS, 1));
    assertEquals(STATUS, payloadOf(lastEvents(device).get("q1")), "persisted before PUBACK");
    client.publish("iot-2/evt/q2/fmt/json", Paho.message(STATUS, 2));
    JsonNode q2 = lastEvents(device).get("q2");
    assertEquals(STATUS, payloadOf(q2), "persisted before PUBREC");
    assertEquals("json", q2.get("format").asText());
    assertEquals("2026-11-23T10:00:00Z", q2.get("timestamp").asText(), "IOTF ts is the time");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void recordsQos0Events(String transport) throws Exception {
    client = Paho.device(uri(transport), device);
    client.publish("iot-2/evt/q0/fmt/text", Paho.message("plain text", 0));
    Map<String, JsonNode> events =
        TestNode.awaitValue(
            Duration.ofSeconds(10), () -> lastEvents(device), seen -> seen.containsKey("q0"));
    assertEquals("text", events.get("q0").get("format").asText());
    assertEquals("plain text", payloadOf(events.get("q0")));
  }

  @Test
  void recordsBinaryPayloadsUpToTheLimit() throws Exception {
    client = Paho.device(node.mqttUri(), device);
    byte[] blob = new byte[131072];
    blob[0] = 1;
    blob[131071] = 2;
    MqttMessage message = new MqttMessage(blob);
    message.setQos(1);
    client.publish("iot-2/evt/blob/fmt/bin", message);
    assertArrayEquals(
        blob, Base64.getDecoder().decode(lastEvents(device).get("blob").get("payload").asText()));
  }

  @Test
  void refusesWrongTokenUnknownDeviceAndOtherOrganizationWithNotAuthorized() {
    String uri = node.mqttUri();
    Paho.assertNotAuthorized(uri, Paho.clientId(device), Paho.DEVICE_USERNAME, "wrong-token-123");
    Paho.assertNotAuthorized(
        uri, "d:" + device.org() + ":sensor:ghost", Paho.DEVICE_USERNAME, device.token());
    Device twinInOtherOrg = fixtures.register(fixtures.organizationWithApiKey(), "sensor", "s-1");
    Paho.assertNotAuthorized(
        uri, Paho.clientId(twinInOtherOrg), Paho.DEVICE_USERNAME, device.token());
    Paho.assertNotAuthorized(uri, "d:noorg:sensor:s-1", Paho.DEVICE_USERNAME, device.token());
    Paho.assertNotAuthorized(uri, Paho.clientId(device), "someone", device.token());
  }

  @Test
  void refusesDisabledDeviceWithNotAuthorized() {
    TestNode.Response disabled =
        node.request("PUT", "/api/v0001/devices/sensor/s-1")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"enabled\":false}")
            .send();
    assertEquals(200, disabled.status(), disabled.body());
    Paho.assertNotAuthorized(
        node.mqttUri(), Paho.clientId(device), Paho.DEVICE_USERNAME, device.token());
  }

  @Test
  void disconnectsDevicePublishingAsAnotherDeviceAndRecordsNothing() throws Exception {
    Device other = fixtures.register(apiKey, "sensor", "s-2");
    client = Paho.device(node.mqttUri(), device);
    MqttException lost =
        assertThrows(
            MqttException.class,
            () ->
                client.publish(
                    "iot-2/type/sensor/id/s-2/evt/status/fmt/json", Paho.message(STATUS, 1)));
    assertEquals(MqttException.REASON_CODE_CONNECTION_LOST, lost.getReasonCode(), lost.toString());
    Paho.awaitDisconnected(client);
    assertTrue(lastEvents(device).isEmpty());
    assertTrue(lastEvents(other).isEmpty());
  }

  @Test
  void disconnectsDevicePublishingOutsideTheIbmTopicsAndRecordsNothing() throws Exception {
    client = Paho.device(node.mqttUri(), device);
    // not MqttClient.publish: at QoS 0 it waits for the write, and Paho leaves that token
    // uncompleted when the server closes the connection in the meantime (seen once in CI)
    client.getTopic("sensors/s-1/status").publish(Paho.message(STATUS, 0));
    Paho.awaitDisconnected(client);
    assertTrue(lastEvents(device).isEmpty());
  }

  @Test
  void disconnectsOnInvalidJsonOnAJsonTopicAndRecordsNothing() throws Exception {
    client = Paho.device(node.mqttUri(), device);
    assertThrows(
        MqttException.class,
        () -> client.publish("iot-2/evt/status/fmt/json", Paho.message("{\"d\":", 1)));
    Paho.awaitDisconnected(client);
    assertTrue(lastEvents(device).isEmpty());
  }

  @Test
  void grantsCommandSubscriptionsAndRefusesEverythingElseWith0x80() throws Exception {
    client = Paho.device(node.mqttUri(), device);
    IMqttToken granted =
        client.subscribeWithResponse(
            new String[] {
              "iot-2/cmd/+/fmt/+", "iot-2/evt/+/fmt/+", "iot-2/cmd/reboot/fmt/json", "#"
            },
            new int[] {1, 1, 2, 0});
    assertArrayEquals(new int[] {1, 0x80, 2, 0x80}, granted.getGrantedQos());
    assertTrue(client.isConnected(), "a refused subscription does not close the connection");
    client.publish("iot-2/evt/after/fmt/json", Paho.message(STATUS, 1));
    assertTrue(lastEvents(device).containsKey("after"));
  }

  /** The last-event cache through the HTTP API, by event id. */
  private Map<String, JsonNode> lastEvents(Device of) {
    TestNode.Response response = fixtures.lastEvents(apiKey, of);
    assertEquals(200, response.status(), response.body());
    Map<String, JsonNode> events = new HashMap<>();
    response.json().forEach(event -> events.put(event.get("eventId").asText(), event));
    return events;
  }

  private static String payloadOf(JsonNode event) {
    assertTrue(event != null, "no such event in the last-event cache");
    return new String(
        Base64.getDecoder().decode(event.get("payload").asText()), StandardCharsets.UTF_8);
  }
}

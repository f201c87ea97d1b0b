package io.entwine.deploy.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.mqtt.Paho.Inbox;
import io.entwine.deploy.mqtt.Paho.Received;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.StateApi;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The twin's state over MQTT with Paho against a real node (docs/mqtt.md, "The twin's state"): the
 * device gets its delta on subscribing and on every change, reports with a PUBACK after the
 * persist, and learns of refused writes on its rejection topic; applications watch state changes
 * with {@code +} filters and write desired state conditionally.
 */
class MqttStateIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestNode node = TestNode.perClass();
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "thermostat", id = "lab-1")
  private Device device;

  private static JsonNode json(Received received) throws Exception {
    return JSON.readTree(received.payload());
  }

  private TestNode.Response desire(String body, String ifMatch) {
    return new StateApi(node, apiKey, device.type(), device.id()).desire(body, ifMatch);
  }

  private JsonNode state() {
    return new StateApi(node, apiKey, device.type(), device.id()).state().json();
  }

  @Test
  void theDeviceGetsItsDeltaReportsAndTheDeltaIsEmpty() throws Exception {
    assertEquals(200, desire("{\"interval\":15}", "\"0\"").status());

    try (Inbox deviceInbox = Paho.deviceInbox(node.mqttUri(), device, true);
        Inbox app = Paho.applicationInbox(node.mqttUri(), apiKey, "watcher")) {
      app.subscribe("iot-2/type/+/id/+/state", 1);
      deviceInbox.subscribe("iot-2/state/delta", 1);

      Received onSubscribe = deviceInbox.next(WAIT);
      assertEquals("iot-2/state/delta", onSubscribe.topic());
      assertEquals(JSON.readTree("{\"version\":1,\"delta\":{\"interval\":15}}"), json(onSubscribe));

      assertEquals(200, desire("{\"mode\":\"eco\"}", "\"1\"").status());
      JsonNode pushed = json(deviceInbox.next(WAIT));
      assertEquals(2, pushed.get("version").asLong());
      assertEquals(JSON.readTree("{\"interval\":15,\"mode\":\"eco\"}"), pushed.get("delta"));

      // QoS 1: publish() returns after the PUBACK, which comes after the persist
      deviceInbox.client.publish(
          "iot-2/state/reported", Paho.message("{\"interval\":15,\"mode\":\"eco\"}", 1));
      JsonNode after = state();
      assertEquals(3, after.get("version").asLong());
      assertTrue(after.get("delta").isEmpty(), after.toString());

      Received changed = app.next(WAIT, m -> m.payload().contains("\"version\":3"));
      assertEquals("iot-2/type/thermostat/id/lab-1/state", changed.topic());
      assertEquals("reported", json(changed).get("change").asText());
      assertTrue(json(changed).get("delta").isEmpty());
    }
  }

  @Test
  void anUnmodifiedDevicePublishingItsStatusEventKeepsReportedCurrent() throws Exception {
    TestNode.Response named =
        node.request("PUT", "/api/v0002/device/types/thermostat/state-events")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"eventIds\":[\"status\"]}")
            .send();
    assertEquals(200, named.status(), named.body());

    MqttClient client = Paho.device(node.mqttUri(), device);
    try {
      client.publish("iot-2/evt/status/fmt/json", Paho.message("{\"d\":{\"temp\":21}}", 1));
    } finally {
      Paho.closeQuietly(client);
    }

    JsonNode state = state();
    assertEquals(21, state.at("/reported/temp").asInt(), state.toString());
    assertEquals(1, state.get("version").asLong());
  }

  @Test
  void refusedWritesAreAnsweredOnTheRejectionTopicsAndChangeNothing() throws Exception {
    try (Inbox deviceInbox = Paho.deviceInbox(node.mqttUri(), device, true);
        Inbox app = Paho.applicationInbox(node.mqttUri(), apiKey, "writer")) {
      deviceInbox.subscribe("iot-2/state/rejected", 1);
      app.subscribe("iot-2/type/+/id/+/state/rejected", 1);

      deviceInbox.client.publish("iot-2/state/reported", Paho.message("[1,2]", 1));
      JsonNode notAnObject = json(deviceInbox.next(WAIT));
      assertEquals(400, notAnObject.get("code").asInt(), notAnObject.toString());
      deviceInbox.client.publish(
          "iot-2/state/reported", Paho.message("{\"a\":".repeat(9) + "1" + "}".repeat(9), 1));
      JsonNode tooDeep = json(deviceInbox.next(WAIT));
      assertEquals(400, tooDeep.get("code").asInt(), tooDeep.toString());
      assertTrue(tooDeep.get("message").asText().contains("8 levels"), tooDeep.toString());
      deviceInbox.client.publish(
          "iot-2/state/reported", Paho.message("{\"a\":\"" + "x".repeat(40_000) + "\"}", 1));
      JsonNode tooLarge = json(deviceInbox.next(WAIT));
      assertEquals(413, tooLarge.get("code").asInt(), tooLarge.toString());
      assertTrue(tooLarge.get("message").asText().contains("32768"), tooLarge.toString());

      app.client.publish(
          "iot-2/type/thermostat/id/lab-1/state/desired",
          Paho.message("{\"desired\":{\"interval\":15},\"version\":0}", 1));
      app.client.publish(
          "iot-2/type/thermostat/id/lab-1/state/desired",
          Paho.message("{\"desired\":{\"interval\":20},\"version\":0}", 1));
      Received conflict = app.next(WAIT);
      assertEquals("iot-2/type/thermostat/id/lab-1/state/rejected", conflict.topic());
      assertEquals(412, json(conflict).get("code").asInt(), conflict.payload());
      assertEquals(1, json(conflict).get("version").asLong());

      assertTrue(deviceInbox.client.isConnected(), "a refused write does not close the device");
      JsonNode state = state();
      assertEquals(1, state.get("version").asLong());
      assertEquals(15, state.at("/desired/interval").asInt());
      assertTrue(state.get("reported").isEmpty(), "no refused patch changed reported");
    }
  }
}

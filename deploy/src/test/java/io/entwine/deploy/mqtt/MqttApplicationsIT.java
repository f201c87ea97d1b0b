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
import java.util.Base64;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Applications over MQTT (IBM IoT Foundation MQTT documentation, Applications) against a real node:
 * they connect with an API key of their organization, publish events on behalf of its devices and
 * subscribe to the documented topic filters.
 */
class MqttApplicationsIT extends WithMqttClient {
  private static final String STATUS = "{\"d\":{\"temp\":19},\"ts\":\"2026-11-23T11:00:00Z\"}";

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "gauge", id = "g-1")
  private Device device;

  @Test
  void connectsApplicationWithAnApiKeyOfItsOrganization() throws Exception {
    client = Paho.application(node.mqttUri(), apiKey, "dashboard");
    assertTrue(client.isConnected());
  }

  @Test
  void refusesWrongTokenAndApiKeysOfOtherOrganizationsWithNotAuthorized() {
    String uri = node.mqttUri();
    String clientId = "a:" + apiKey.org() + ":dashboard";
    Paho.assertNotAuthorized(uri, clientId, apiKey.key(), "wrong-token-123");
    ApiKey other = fixtures.organizationWithApiKey();
    Paho.assertNotAuthorized(uri, clientId, other.key(), other.token());
    Paho.assertNotAuthorized(uri, "a:" + other.org() + ":dashboard", apiKey.key(), apiKey.token());
    Paho.assertNotAuthorized(uri, clientId, "use-token-auth", device.token());
  }

  @Test
  void recordsEventPublishedOnBehalfOfADeviceBeforeThePublishCompletes() throws Exception {
    client = Paho.application(node.mqttUri(), apiKey, "gateway-app");
    client.publish("iot-2/type/gauge/id/g-1/evt/reading/fmt/json", Paho.message(STATUS, 1));
    JsonNode events = fixtures.lastEvents(apiKey, device).json();
    assertEquals(1, events.size(), events.toString());
    assertEquals("reading", events.get(0).get("eventId").asText());
    assertEquals(
        STATUS,
        new String(
            Base64.getDecoder().decode(events.get(0).get("payload").asText()),
            StandardCharsets.UTF_8));
  }

  @Test
  void disconnectsApplicationPublishingForAnUnregisteredDevice() throws Exception {
    client = Paho.application(node.mqttUri(), apiKey, "gateway-app");
    assertThrows(
        MqttException.class,
        () ->
            client.publish(
                "iot-2/type/gauge/id/unknown/evt/reading/fmt/json", Paho.message(STATUS, 1)));
    Paho.awaitDisconnected(client);
  }

  @Test
  void grantsTheDocumentedApplicationFiltersAndRefusesOthersWith0x80() throws Exception {
    client = Paho.application(node.mqttUri(), apiKey, "monitor");
    IMqttToken granted =
        client.subscribeWithResponse(
            new String[] {
              "iot-2/type/+/id/+/evt/+/fmt/+",
              "iot-2/type/gauge/id/g-1/cmd/+/fmt/json",
              "iot-2/type/+/id/+/mon",
              "iot-2/app/+/mon",
              "iot-2/evt/+/fmt/+",
              "iot-2/type/#"
            },
            new int[] {1, 2, 0, 0, 1, 1});
    assertArrayEquals(new int[] {1, 2, 0, 0, 0x80, 0x80}, granted.getGrantedQos());
    assertTrue(client.isConnected());
  }
}

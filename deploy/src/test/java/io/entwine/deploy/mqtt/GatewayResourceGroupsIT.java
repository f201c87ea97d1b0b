package io.entwine.deploy.mqtt;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM's gateway access control on a real node (ADR 0074): a gateway given the standard role over
 * HTTP acts, over MQTT (Paho) and HTTP, only for the devices of its resource group — publishing,
 * taking commands, registering nothing — and the role and the group survive a restart of the node.
 */
class GatewayResourceGroupsIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey key;

  @Test
  void aStandardGatewayActsOnlyForItsGroupOnEveryPathAndTheGrantIsDurable() throws Exception {
    Device gateway = fixtures.register(key, "hub", "gw-1");
    Device inside = fixtures.register(key, "sensor", "in-1");
    Device outside = fixtures.register(key, "sensor", "out-1");
    String group = "gw_def_res_grp:" + key.org() + ":hub:gw-1";
    String roles = "/api/v0002/authorization/devices/g%3A" + key.org() + "%3Ahub%3Agw-1/roles";

    TestNode.Response standard =
        put(roles, "{\"roles\":[{\"roleId\":\"PD_STANDARD_GW_DEVICE\",\"roleStatus\":1}]}");
    assertEquals(200, standard.status(), standard.body());
    assertEquals(
        group, standard.json().path("rolesToGroups").path("PD_STANDARD_GW_DEVICE").get(0).asText());
    TestNode.Response added =
        put(
            "/api/v0002/bulk/devices/" + group + "/add",
            "[{\"typeId\":\"sensor\",\"deviceId\":\"in-1\"}]");
    assertEquals(200, added.status(), added.body());

    try (Paho.Inbox client =
        Paho.inbox(
            node.mqttUri(),
            "g:" + key.org() + ":hub:gw-1",
            Paho.DEVICE_USERNAME,
            gateway.token(),
            true)) {
      client.subscribe("iot-2/type/hub/id/gw-1/notify", 1);
      client.subscribe("iot-2/type/+/id/+/cmd/+/fmt/+", 1);

      client.client.publish("iot-2/type/sensor/id/in-1/evt/temp/fmt/json", Paho.message("{}", 1));
      assertEquals("temp", lastEventId(inside));

      client.client.publish("iot-2/type/sensor/id/out-1/evt/temp/fmt/json", Paho.message("{}", 1));
      assertEquals(403, notice(client, "out-1").path("RC").asInt());
      client.client.publish("iot-2/type/sensor/id/new-1/evt/temp/fmt/json", Paho.message("{}", 1));
      JsonNode refusedRegistration = notice(client, "new-1");
      assertEquals(403, refusedRegistration.path("RC").asInt());
      assertTrue(
          refusedRegistration.path("Message").asText().contains("PD_STANDARD_GW_DEVICE"),
          refusedRegistration.toString());
      assertEquals(404, get("/api/v0002/device/types/sensor/devices/new-1").status());

      assertEquals(202, queueCommand(outside, "blink").status());
      assertEquals(202, queueCommand(inside, "blink").status());
      Paho.Received command = client.next(WAIT, m -> m.topic().contains("/cmd/"));
      assertEquals("iot-2/type/sensor/id/in-1/cmd/blink/fmt/json", command.topic());
      assertTrue(client.client.isConnected());
    }
    assertEquals(
        "queued",
        get("/api/v0002/application/types/sensor/devices/out-1/commands")
            .json()
            .get(0)
            .path("status")
            .asText(),
        "a device outside the group never offers the gateway its command");
    assertEquals(403, gatewayHttpEvent(gateway, outside).status());
    assertNoEvents(outside);

    node.restart();

    assertEquals(
        "PD_STANDARD_GW_DEVICE", get(roles).json().path("roles").get(0).path("roleId").asText());
    JsonNode ids = get("/api/v0002/bulk/devices/" + group + "/ids").json();
    assertEquals("in-1", ids.path("results").get(0).path("deviceId").asText(), ids.toString());
    assertEquals(200, gatewayHttpEvent(gateway, inside).status());

    TestNode.Response removed =
        put(
            "/api/v0002/bulk/devices/" + group + "/remove",
            "[{\"typeId\":\"sensor\",\"deviceId\":\"in-1\"}]");
    assertEquals(200, removed.status(), removed.body());
    assertEquals(403, gatewayHttpEvent(gateway, inside).status());
  }

  @Test
  void badInputIsRefusedWithIbmsStatusAndAnotherOrganizationSeesNothing() {
    fixtures.register(key, "hub", "gw-2");
    ApiKey other = fixtures.organizationWithApiKey();
    String group = "gw_def_res_grp:" + key.org() + ":hub:gw-2";
    String roles = "/api/v0002/authorization/devices/g:" + key.org() + ":hub:gw-2/roles";

    assertEquals(400, put(roles, "{\"roles\":[{\"roleId\":\"PD_ADMIN\"}]}").status());
    assertEquals(400, put(roles, "not json").status());
    assertEquals(400, put("/api/v0002/bulk/devices/" + group + "/add", "[]").status());
    assertEquals(
        404,
        put(
                "/api/v0002/bulk/devices/" + group + "/add",
                "[{\"typeId\":\"sensor\",\"deviceId\":\"absent\"}]")
            .status());
    assertEquals(
        404,
        node.request("GET", "/api/v0002/bulk/devices/" + group)
            .organization(other.org())
            .basic(other.key(), other.token())
            .send()
            .status(),
        "another organization's group is not found");
    assertEquals(
        "PD_PRIVILEGED_GW_DEVICE",
        get(roles).json().path("roles").get(0).path("roleId").asText(),
        "nothing changed");
  }

  // ---- helpers ----

  private JsonNode notice(Paho.Inbox client, String deviceId) throws Exception {
    Paho.Received received = client.next(WAIT, message -> message.topic().endsWith("/notify"));
    JsonNode notice = JSON.readTree(received.payload());
    assertEquals(deviceId, notice.path("Id").asText(), notice.toString());
    return notice;
  }

  private TestNode.Response queueCommand(Device device, String command) {
    return node.request(
            "POST",
            "/api/v0002/application/types/"
                + device.type()
                + "/devices/"
                + device.id()
                + "/commands/"
                + command)
        .organization(key.org())
        .basic(key.key(), key.token())
        .json("{\"on\":true}")
        .send();
  }

  private TestNode.Response gatewayHttpEvent(Device gateway, Device device) {
    return node.request(
            "POST",
            "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/events/temp")
        .organization(key.org())
        .basic("g/" + key.org() + "/" + gateway.type() + "/" + gateway.id(), gateway.token())
        .json("{\"d\":{\"temp\":20}}")
        .send();
  }

  private TestNode.Response get(String path) {
    return node.request("GET", path).organization(key.org()).basic(key.key(), key.token()).send();
  }

  private TestNode.Response put(String path, String json) {
    return node.request("PUT", path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .json(json)
        .send();
  }

  private void assertNoEvents(Device device) {
    JsonNode events = fixtures.lastEvents(key, device).json();
    assertTrue(events.isArray() && events.isEmpty(), events.toString());
  }

  private String lastEventId(Device device) {
    JsonNode events =
        awaitValue(
            WAIT,
            () -> fixtures.lastEvents(key, device).json(),
            list -> list.isArray() && list.size() > 0);
    return events.get(0).path("eventId").asText();
  }
}

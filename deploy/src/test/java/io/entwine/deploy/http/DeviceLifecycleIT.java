package io.entwine.deploy.http;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The user's path through a real node and a real Cassandra: register, send, read back, list. */
class DeviceLifecycleIT {
  private static final Duration PROJECTION_LAG = Duration.ofSeconds(30);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void nodeIsReady() {
    TestNode.Response ready = node.request("GET", "/health/ready").send();
    assertEquals(200, ready.status(), ready.body());
    assertEquals("UP", ready.json().get("checks").get("cassandra").asText());
    assertEquals("UP", ready.json().get("checks").get("sharding").asText(), "regions registered");
    assertEquals(200, node.request("GET", "/health/alive").send().status());
  }

  @Test
  void registeredDeviceSendsAnEventThatIsReadBack() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "thermostat", "lab-1");

    String payload = "{\"d\":{\"temp\":21.5},\"ts\":\"2014-12-30T14:47:36+00:00\"}";
    TestNode.Response sent =
        fixtures.sendEvent(
            device, "status", "application/json", payload.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, sent.status(), sent.body());

    TestNode.Response last =
        node.request("GET", "/api/v0002/device/types/thermostat/devices/lab-1/events/status")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(200, last.status(), last.body());
    JsonNode event = last.json();
    assertEquals("json", event.get("format").asText());
    assertEquals("status", event.get("eventId").asText());
    assertEquals(payload, new String(Base64.getDecoder().decode(event.get("payload").asText())));
    assertEquals("2014-12-30T14:47:36Z", event.get("timestamp").asText(), "ts is the event time");
  }

  @Test
  void lastEventCacheKeepsTheNewestEventPerEventId() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    Device device = fixtures.register(apiKey, "meter", "m-1");
    for (String body : new String[] {"first", "second"}) {
      assertEquals(200, fixtures.sendEvent(device, "reading", "text/plain", bytes(body)).status());
    }
    assertEquals(200, fixtures.sendEvent(device, "boot", "text/plain", bytes("up")).status());

    JsonNode events = fixtures.lastEvents(apiKey, device).json();
    assertEquals(2, events.size(), events.toString());
    assertEquals("boot", events.get(0).get("eventId").asText());
    assertEquals("reading", events.get(1).get("eventId").asText());
    assertEquals("second", decode(events.get(1).get("payload").asText()));
    assertEquals("text", events.get(1).get("format").asText());
  }

  @Test
  void managementApiRegistersUpdatesListsAndDeletes() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    TestNode.Response registered =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json(
                "{\"type\":\"raspberrypi-sample\",\"id\":\"1958138a4dfe\","
                    + "\"metadata\":{\"address\":{\"number\":29,\"street\":\"Acacia Road\"}}}")
            .send();
    assertEquals(201, registered.status(), registered.body());
    JsonNode body = registered.json();
    assertEquals(
        "d:" + apiKey.org() + ":raspberrypi-sample:1958138a4dfe", body.get("uuid").asText());
    assertEquals(29, body.get("metadata").get("address").get("number").asInt());
    assertEquals(apiKey.key(), body.get("registration").get("auth").get("id").asText());
    assertTrue(body.get("password").asText().length() >= 20, "a generated token is returned");
    assertEquals(
        "/api/v0001/devices/raspberrypi-sample/1958138a4dfe",
        registered.raw().headers().firstValue("Location").orElseThrow());
    fixtures.register(apiKey, "mbed-sample", "1253138b4dcd");

    TestNode.Response updated =
        node.request("PUT", "/api/v0001/devices/raspberrypi-sample/1958138a4dfe")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"metadata\":{\"address\":{\"number\":21,\"street\":\"Acacia Avenue\"}}}")
            .send();
    assertEquals(200, updated.status(), updated.body());
    assertEquals(
        "Acacia Avenue", updated.json().get("metadata").get("address").get("street").asText());

    TestNode.Response viewed =
        node.request("GET", "/api/v0001/devices/raspberrypi-sample/1958138a4dfe")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(200, viewed.status());
    assertEquals(21, viewed.json().get("metadata").get("address").get("number").asInt());
    assertTrue(viewed.json().get("password") == null, "the token is shown only once");

    JsonNode types =
        awaitValue(
            PROJECTION_LAG,
            () -> get(apiKey, "/api/v0001/device-types").json(),
            list -> list.size() == 2);
    assertEquals("mbed-sample", types.get(0).get("deviceType").asText());
    assertEquals(1, types.get(0).get("count").asInt());

    JsonNode all =
        awaitValue(
            PROJECTION_LAG,
            () -> get(apiKey, "/api/v0001/devices").json(),
            list ->
                list.size() == 2
                    && list.get(1).get("metadata").get("address").get("number").asInt() == 21);
    assertEquals(
        "d:" + apiKey.org() + ":mbed-sample:1253138b4dcd", all.get(0).get("uuid").asText());

    JsonNode byType = get(apiKey, "/api/v0001/devices/mbed-sample").json();
    assertEquals(1, byType.size());
    assertEquals("1253138b4dcd", byType.get(0).get("id").asText());

    TestNode.Response deleted =
        node.request("DELETE", "/api/v0001/devices/mbed-sample/1253138b4dcd")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send();
    assertEquals(204, deleted.status(), deleted.body());
    assertEquals(404, get(apiKey, "/api/v0001/devices/mbed-sample/1253138b4dcd").status());
    awaitValue(
        PROJECTION_LAG, () -> get(apiKey, "/api/v0001/devices").json(), list -> list.size() == 1);

    JsonNode organization = get(apiKey, "/api/v0001/").json();
    assertEquals(apiKey.org(), organization.get("id").asText());
    assertEquals("Test " + apiKey.org(), organization.get("name").asText());
  }

  @Test
  void apiKeysAreListedWithoutTokensAndCanBeRevoked() {
    ApiKey apiKey = fixtures.organizationWithApiKey();
    TestNode.Response list =
        node.request("GET", "/api/v0002/admin/organizations/" + apiKey.org() + "/apikeys")
            .operator()
            .send();
    assertEquals(200, list.status());
    assertEquals(apiKey.key(), list.json().get(0).get("key").asText());
    assertTrue(!list.body().contains(apiKey.token()), "no token in the listing");
    assertEquals(200, get(apiKey, "/api/v0001/").status());

    TestNode.Response revoked =
        node.request(
                "DELETE",
                "/api/v0002/admin/organizations/" + apiKey.org() + "/apikeys/" + apiKey.key())
            .operator()
            .send();
    assertEquals(204, revoked.status(), revoked.body());
    assertEquals(401, get(apiKey, "/api/v0001/").status(), "a revoked key no longer works");
  }

  private static TestNode.Response get(ApiKey apiKey, String path) {
    return node.request("GET", path)
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token())
        .send();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}

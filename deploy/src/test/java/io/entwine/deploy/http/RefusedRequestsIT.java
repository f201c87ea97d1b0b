package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.NewOrganization;
import io.entwine.deploy.testing.RegisteredDevice;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input gets a precise 4xx and leaves nothing behind; organizations cannot see each other.
 * Every refused event is followed by a check that the twin recorded nothing.
 */
class RefusedRequestsIT {
  private static final byte[] JSON_EVENT = "{\"d\":{\"temp\":1}}".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  @NewOrganization private ApiKey apiKey;

  @RegisteredDevice(type = "sensor", id = "s-1")
  private Device device;

  @Test
  void rejectsEventWithWrongToken() {
    TestNode.Response response =
        fixtures.sendEvent(device, "wrong-token-123", "status", "application/json", JSON_EVENT);
    assertEquals(401, response.status(), response.body());
    assertTrue(response.raw().headers().firstValue("WWW-Authenticate").isPresent());
    assertNothingRecorded();
  }

  @Test
  void rejectsEventWithoutCredentialsOrWithAnotherUsername() {
    TestNode.Response anonymous =
        node.request("POST", "/api/v0002/device/types/sensor/devices/s-1/events/status")
            .organization(apiKey.org())
            .json("{}")
            .send();
    assertEquals(401, anonymous.status());
    TestNode.Response otherUser =
        node.request("POST", "/api/v0002/device/types/sensor/devices/s-1/events/status")
            .organization(apiKey.org())
            .basic("someone", device.token())
            .json("{}")
            .send();
    assertEquals(401, otherUser.status());
    assertNothingRecorded();
  }

  @Test
  void rejectsEventForUnregisteredDeviceLikeAWrongToken() {
    Device ghost = new Device(apiKey.org(), "sensor", "ghost", device.token());
    assertEquals(401, fixtures.sendEvent(ghost, "status", "application/json", JSON_EVENT).status());
  }

  @Test
  void rejectsOversizeEventWith413() {
    TestNode.Response response =
        fixtures.sendEvent(device, "blob", "application/octet-stream", new byte[131073]);
    assertEquals(413, response.status(), response.body());
    assertNothingRecorded();
    assertEquals(
        200,
        fixtures.sendEvent(device, "blob", "application/octet-stream", new byte[131072]).status(),
        "exactly the limit is accepted");
  }

  @Test
  void rejectsMalformedJsonWith400() {
    TestNode.Response response =
        fixtures.sendEvent(
            device, "status", "application/json", "{\"d\":".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, response.status());
    assertTrue(response.json().get("message").asText().startsWith("Invalid JSON"));
    assertNothingRecorded();
  }

  @Test
  void rejectsUnsupportedContentTypeNamingTheSupportedOnes() {
    TestNode.Response unsupported = fixtures.sendEvent(device, "status", "image/png", JSON_EVENT);
    assertEquals(415, unsupported.status());
    assertTrue(unsupported.body().contains("application/json"), "names the supported types");
    assertNothingRecorded();
  }

  @Test
  void recordsBodyWithoutContentTypeAsBinary() {
    TestNode.Response missing = fixtures.sendEvent(device, "raw", null, JSON_EVENT);
    assertEquals(200, missing.status(), missing.body());
    assertEquals("bin", fixtures.lastEvents(apiKey, device).json().get(0).get("format").asText());
  }

  @Test
  void rejectsEventNotAddressedToAnOrganization() {
    TestNode.Response response =
        node.request("POST", "/api/v0002/device/types/sensor/devices/s-1/events/status")
            .basic("use-token-auth", device.token())
            .json("{}")
            .send();
    assertEquals(400, response.status());
    assertTrue(response.body().contains("ORG.localhost"));
    assertNothingRecorded();
  }

  @Test
  void rejectsMalformedIdsNamingTheRule() {
    TestNode.Response tooLong =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"sensor\",\"id\":\"" + "x".repeat(33) + "\"}")
            .send();
    assertEquals(400, tooLong.status());
    assertTrue(tooLong.body().contains("at most 32 characters"), tooLong.body());
    TestNode.Response badCharacters =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"sen sor\",\"id\":\"a\"}")
            .send();
    assertEquals(400, badCharacters.status());
    assertEquals(
        400,
        fixtures
            .sendEvent(
                new Device(apiKey.org(), "sensor", "bad$id", device.token()),
                "status",
                "application/json",
                JSON_EVENT)
            .status());
    TestNode.Response missingType =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"id\":\"a\"}")
            .send();
    assertEquals(400, missingType.status());
    TestNode.Response notJson =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{nope")
            .send();
    assertEquals(400, notJson.status());
    assertEquals(
        404,
        node.request("GET", "/api/v0001/devices/sensor/" + "x".repeat(32))
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .send()
            .status(),
        "nothing was registered");
  }

  @Test
  void rejectsDuplicateRegistrationWith409() {
    TestNode.Response duplicate =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), apiKey.token())
            .json("{\"type\":\"sensor\",\"id\":\"s-1\"}")
            .send();
    assertEquals(409, duplicate.status());
    assertEquals(
        200,
        fixtures.sendEvent(device, "status", "application/json", JSON_EVENT).status(),
        "the original registration and its token are untouched");
  }

  @Test
  void rejectsWrongApiKeyToken() {
    TestNode.Response response =
        node.request("GET", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(apiKey.key(), "not-the-token")
            .send();
    assertEquals(401, response.status());
  }

  @Test
  void rejectsOperatorCallsWithoutTheOperatorToken() {
    TestNode.Response noToken =
        node.request("POST", "/api/v0002/admin/organizations").json("{\"name\":\"x\"}").send();
    assertEquals(401, noToken.status());
    TestNode.Response apiKeyInstead =
        node.request("POST", "/api/v0002/admin/organizations")
            .basic(apiKey.key(), apiKey.token())
            .json("{\"name\":\"x\"}")
            .send();
    assertEquals(401, apiKeyInstead.status());
  }

  @Test
  void foreignOrganizationsKeyIsRefusedWith403() {
    ApiKey foreign = fixtures.organizationWithApiKey();
    TestNode.Response read =
        node.request("GET", "/api/v0001/devices/sensor/s-1")
            .organization(apiKey.org())
            .basic(foreign.key(), foreign.token())
            .send();
    assertEquals(403, read.status(), read.body());
    TestNode.Response lastEvents =
        node.request("GET", "/api/v0002/device/types/sensor/devices/s-1/events")
            .organization(apiKey.org())
            .basic(foreign.key(), foreign.token())
            .send();
    assertEquals(403, lastEvents.status());
    TestNode.Response register =
        node.request("POST", "/api/v0001/devices")
            .organization(apiKey.org())
            .basic(foreign.key(), foreign.token())
            .json("{\"type\":\"sensor\",\"id\":\"intruder\"}")
            .send();
    assertEquals(403, register.status());
  }

  @Test
  void organizationsSeeNothingOfEachOther() {
    ApiKey other = fixtures.organizationWithApiKey();
    TestNode.Response sameIdsElsewhere =
        node.request("GET", "/api/v0001/devices/sensor/s-1")
            .organization(other.org())
            .basic(other.key(), other.token())
            .send();
    assertEquals(404, sameIdsElsewhere.status(), "the other organization has no such device");
    TestNode.Response devicesElsewhere =
        node.request("GET", "/api/v0001/devices")
            .organization(other.org())
            .basic(other.key(), other.token())
            .send();
    assertEquals("[]", devicesElsewhere.body().replace(" ", ""));

    Device sameIdsInOtherOrg = new Device(other.org(), "sensor", "s-1", device.token());
    assertEquals(
        401,
        fixtures.sendEvent(sameIdsInOtherOrg, "status", "application/json", JSON_EVENT).status(),
        "a device's token is worthless in another organization");
  }

  private void assertNothingRecorded() {
    TestNode.Response events = fixtures.lastEvents(apiKey, device);
    assertEquals(200, events.status(), events.body());
    assertEquals("[]", events.body().replace(" ", ""), "nothing was recorded");
  }
}

package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.identity.Ids;
import io.entwine.protocol.Reply;
import io.entwine.registry.view.RegisteredDevice;
import io.entwine.twin.TwinEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM's device-management API v0001 (IBM IoT Foundation documentation, 3.1), authenticated by an
 * API key.
 */
class DeviceManagementRoutesTest extends ApiRouteTest {
  private static final String METADATA = "{\"address\":{\"number\":29,\"street\":\"Acacia Road\"}}";
  private static final Instant REGISTERED_AT = Instant.parse("2024-05-01T10:00:00Z");

  DeviceManagementRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  // ---- organization ----

  @Test
  void viewsTheOrganization() {
    ApiKey key = organizationWithApiKey("dm");

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.GET("/api/v0001/")));

    assertEquals(StatusCodes.OK, result.status());
    JsonNode body = body(result);
    assertEquals(key.org(), body.get("id").asText());
    assertEquals("Org " + key.org(), body.get("name").asText());
    assertTrue(body.hasNonNull("created") && body.hasNonNull("updated"), body::toString);
  }

  @Test
  void usesTheApiKeysOrganizationWhenTheHostNamesNone() {
    ApiKey key = organizationWithApiKey("dm");
    HttpRequest plainHost =
        HttpRequest.GET("/api/v0001")
            .addHeader(Host.create(DOMAIN))
            .addCredentials(basic(key.key(), key.token()));
    HttpRequest noHost =
        HttpRequest.GET("/api/v0001").addCredentials(basic(key.key(), key.token()));

    for (HttpRequest request : List.of(plainHost, noHost)) {
      TestRouteResult result = api.run(request);

      assertEquals(StatusCodes.OK, result.status(), result.entityString());
      assertEquals(key.org(), body(result).get("id").asText());
    }
  }

  // ---- authentication ----

  @Test
  void refusesAWrongTokenWithAChallenge() {
    ApiKey key = organizationWithApiKey("dm");
    ApiKey wrongToken = new ApiKey(key.org(), key.key(), "wrong-token-123456789");

    assertUnauthorized(
        api.run(withApiKey(wrongToken, HttpRequest.GET("/api/v0001/"))),
        "Basic",
        Reply.Rejected.UNAUTHORIZED_MESSAGE);
    TestRouteResult register =
        api.run(
            withApiKey(wrongToken, withJson(HttpRequest.POST(DEVICES), registration("t", "d"))));
    assertUnauthorized(register, "Basic", Reply.Rejected.UNAUTHORIZED_MESSAGE);
    assertTrue(cluster.twinEvents(new Device(key.org(), "t", "d", "").key()).isEmpty());
  }

  @Test
  void refusesMissingCredentialsAndUnknownKeys() {
    ApiKey key = organizationWithApiKey("dm");

    assertUnauthorized(
        api.run(toOrg(key.org(), HttpRequest.GET("/api/v0001/"))),
        "Basic",
        "HTTP Basic authentication required");
    assertUnauthorized(
        api.run(
            withApiKey(
                new ApiKey(key.org(), "not-a-key", key.token()), HttpRequest.GET("/api/v0001/"))),
        "Basic",
        Reply.Rejected.UNAUTHORIZED_MESSAGE);
    assertUnauthorized(
        api.run(
            withApiKey(
                new ApiKey(key.org(), "a-" + key.org() + "-unknown1234", key.token()),
                HttpRequest.GET("/api/v0001/"))),
        "Basic",
        Reply.Rejected.UNAUTHORIZED_MESSAGE);
  }

  @Test
  void refusesAnApiKeyAddressedToAnotherOrganizationsHost() {
    ApiKey own = organizationWithApiKey("dm");
    ApiKey foreign = organizationWithApiKey("dm");
    ApiKey misaddressed = new ApiKey(own.org(), foreign.key(), foreign.token());

    TestRouteResult view = api.run(withApiKey(misaddressed, HttpRequest.GET("/api/v0001/")));
    TestRouteResult register =
        api.run(
            withApiKey(misaddressed, withJson(HttpRequest.POST(DEVICES), registration("t", "d"))));

    assertError(
        view,
        StatusCodes.FORBIDDEN,
        "API key " + foreign.key() + " does not belong to organization " + own.org());
    assertError(register, StatusCodes.FORBIDDEN, "does not belong to organization " + own.org());
    assertTrue(cluster.twinEvents(new Device(own.org(), "t", "d", "").key()).isEmpty());
    assertTrue(cluster.twinEvents(new Device(foreign.org(), "t", "d", "").key()).isEmpty());
  }

  // ---- registration ----

  @Test
  void registersADeviceWithAGeneratedPassword() {
    ApiKey key = organizationWithApiKey("dm");

    TestRouteResult created =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(DEVICES),
                    "{\"type\":\"raspberrypi-sample\",\"id\":\"1958138a4dfe\",\"metadata\":"
                        + METADATA
                        + "}")));

    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    assertEquals(
        "/api/v0001/devices/raspberrypi-sample/1958138a4dfe",
        created.response().getHeader("Location").map(HttpHeader::value).orElse(null));
    JsonNode body = body(created);
    assertEquals("d:" + key.org() + ":raspberrypi-sample:1958138a4dfe", body.get("uuid").asText());
    assertEquals("raspberrypi-sample", body.get("type").asText());
    assertEquals("1958138a4dfe", body.get("id").asText());
    assertEquals(parse(METADATA), body.get("metadata"));
    String password = body.get("password").asText();
    assertEquals(20, password.length(), password);
    assertEquals(key.key(), body.at("/registration/auth/id").asText());
    assertEquals("apikey", body.at("/registration/auth/type").asText());
    assertTrue(body.at("/registration/date").isTextual(), body::toString);
    assertFalse(body.has("enabled"), "an enabled device is rendered as IBM's, without the flag");
    Device device = new Device(key.org(), "raspberrypi-sample", "1958138a4dfe", password);
    assertEquals(StatusCodes.OK, publishJson(device, "status", "{}").status(), "password works");
  }

  @Test
  void registersADeviceWithItsOwnPassword() {
    ApiKey key = organizationWithApiKey("dm");
    for (String password : List.of("8chars!!", "p".repeat(128))) {
      String id = "own-" + password.length();

      TestRouteResult created =
          api.run(
              withApiKey(
                  key,
                  withJson(
                      HttpRequest.POST(DEVICES),
                      "{\"type\":\"t\",\"id\":\"" + id + "\",\"password\":\"" + password + "\"}")));

      assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
      assertEquals(password, body(created).get("password").asText());
      Device device = new Device(key.org(), "t", id, password);
      assertEquals(StatusCodes.OK, publishJson(device, "status", "{}").status());
    }
  }

  @Test
  void rejectsAPasswordOutsideEightTo128Characters() {
    ApiKey key = organizationWithApiKey("dm");
    for (String password : List.of("7chars!", "p".repeat(129))) {
      TestRouteResult result =
          api.run(
              withApiKey(
                  key,
                  withJson(
                      HttpRequest.POST(DEVICES),
                      "{\"type\":\"t\",\"id\":\"d\",\"password\":\"" + password + "\"}")));

      assertError(result, StatusCodes.BAD_REQUEST, "'password' must be 8 to 128 characters");
    }
    assertTrue(cluster.twinEvents(new Device(key.org(), "t", "d", "").key()).isEmpty());
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/d"))),
        StatusCodes.NOT_FOUND,
        "is not registered");
  }

  @Test
  void rejectsAnInvalidDeviceTypeOrIdNamingTheRule() {
    ApiKey key = organizationWithApiKey("dm");
    String tooLong = "x".repeat(33);

    assertError(
        register(key, registration("bad type", "d")),
        StatusCodes.BAD_REQUEST,
        "Invalid device type 'bad type': " + Ids.DEVICE_ID_RULE);
    assertError(
        register(key, registration("t", tooLong)),
        StatusCodes.BAD_REQUEST,
        "Invalid device id '" + tooLong + "': " + Ids.DEVICE_ID_RULE);
    assertError(
        register(key, registration("t", "a/b")),
        StatusCodes.BAD_REQUEST,
        "Invalid device id 'a/b': " + Ids.DEVICE_ID_RULE);
    assertError(
        register(key, "{\"id\":\"d\"}"),
        StatusCodes.BAD_REQUEST,
        "Invalid device type 'null': " + Ids.DEVICE_ID_RULE);
    assertError(
        register(key, "{\"type\":\"t\",\"id\":7}"),
        StatusCodes.BAD_REQUEST,
        "'type', 'id' and 'password' must be strings");
    // Exactly 32 characters of every allowed kind are fine.
    String longest = "aZ0-_.".repeat(5) + "xy";
    assertEquals(StatusCodes.CREATED, register(key, registration(longest, longest)).status());
  }

  @Test
  void rejectsAnInvalidDeviceTypeOrIdInThePath() {
    ApiKey key = organizationWithApiKey("dm");

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/bad%20type/d"))),
        StatusCodes.BAD_REQUEST,
        "Invalid device type 'bad type': " + Ids.DEVICE_ID_RULE);
    assertError(
        api.run(withApiKey(key, HttpRequest.DELETE(DEVICES + "/t/" + "x".repeat(33)))),
        StatusCodes.BAD_REQUEST,
        "Invalid device id");
  }

  @Test
  void refusesADuplicateRegistration() {
    ApiKey key = organizationWithApiKey("dm");
    Device device = registerDevice(key, "t", "dup");

    TestRouteResult again =
        register(
            key,
            "{\"type\":\"t\",\"id\":\"dup\",\"password\":\"another-password\","
                + "\"metadata\":{\"x\":1}}");

    assertError(again, StatusCodes.CONFLICT, "Device t/dup is already registered");
    assertEquals(1, cluster.twinEvents(device.key()).size(), "nothing more persisted");
    assertEquals(StatusCodes.OK, publishJson(device, "e", "{}").status(), "old password works");
    assertFalse(
        body(api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/dup")))).has("metadata"));
  }

  // ---- one device ----

  @Test
  void readsARegisteredDevice() {
    ApiKey key = organizationWithApiKey("dm");
    TestRouteResult created =
        register(key, "{\"type\":\"t\",\"id\":\"read\",\"metadata\":" + METADATA + "}");
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());

    TestRouteResult read = api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/read")));

    assertEquals(StatusCodes.OK, read.status());
    JsonNode body = body(read);
    assertEquals("d:" + key.org() + ":t:read", body.get("uuid").asText());
    assertEquals(parse(METADATA), body.get("metadata"));
    assertEquals(key.key(), body.at("/registration/auth/id").asText());
    assertFalse(body.has("password"), "the token is never shown again");
  }

  @Test
  void answersAnUnknownDeviceWith404() {
    ApiKey key = organizationWithApiKey("dm");

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/unknown"))),
        StatusCodes.NOT_FOUND,
        "Device type 't' id 'unknown' is not registered");
  }

  @Test
  void updatesTheMetadata() {
    ApiKey key = organizationWithApiKey("dm");
    registerDevice(key, "t", "meta");
    String newMetadata = "{\"address\":{\"number\":21,\"street\":\"Acacia Avenue\"}}";

    TestRouteResult updated =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(DEVICES + "/t/meta"), "{\"metadata\":" + newMetadata + "}")));

    assertEquals(StatusCodes.OK, updated.status(), updated.entityString());
    assertEquals(parse(newMetadata), body(updated).get("metadata"));
    assertEquals("d:" + key.org() + ":t:meta", body(updated).get("uuid").asText());
    JsonNode read = body(api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/meta"))));
    assertEquals(parse(newMetadata), read.get("metadata"));
  }

  @Test
  void disablesADeviceWhoseEventsAreThenForbidden() {
    ApiKey key = organizationWithApiKey("dm");
    Device device = registerDevice(key, "t", "off");

    TestRouteResult updated =
        api.run(
            withApiKey(key, withJson(HttpRequest.PUT(DEVICES + "/t/off"), "{\"enabled\":false}")));
    TestRouteResult event = publishJson(device, "status", "{\"on\":true}");

    assertEquals(StatusCodes.OK, updated.status(), updated.entityString());
    assertFalse(body(updated).get("enabled").asBoolean(true), updated.entityString());
    assertError(event, StatusCodes.FORBIDDEN, "Device d:" + key.org() + ":t:off is disabled");
    assertFalse(
        cluster.twinEvents(device.key()).stream()
            .anyMatch(e -> e instanceof TwinEvent.EventRecorded),
        "no event recorded");
  }

  @Test
  void requiresMetadataOrEnabledOnUpdate() {
    ApiKey key = organizationWithApiKey("dm");
    Device device = registerDevice(key, "t", "upd");

    assertError(
        api.run(withApiKey(key, withJson(HttpRequest.PUT(DEVICES + "/t/upd"), "{}"))),
        StatusCodes.BAD_REQUEST,
        "'metadata' is required");
    assertError(
        api.run(withApiKey(key, withJson(HttpRequest.PUT(DEVICES + "/t/upd"), "{\"x\":1}"))),
        StatusCodes.BAD_REQUEST,
        "'metadata' is required");
    assertError(
        api.run(withApiKey(key, HttpRequest.PUT(DEVICES + "/t/upd"))),
        StatusCodes.BAD_REQUEST,
        "A JSON object is required as body");
    assertError(
        api.run(
            withApiKey(key, withJson(HttpRequest.PUT(DEVICES + "/t/upd"), "{\"enabled\":\"no\"}"))),
        StatusCodes.BAD_REQUEST,
        "'enabled' must be true or false");
    assertEquals(1, cluster.twinEvents(device.key()).size(), "nothing more persisted");
  }

  @Test
  void answersAnUpdateOfAnUnknownDeviceWith404() {
    ApiKey key = organizationWithApiKey("dm");

    assertError(
        api.run(
            withApiKey(key, withJson(HttpRequest.PUT(DEVICES + "/t/ghost"), "{\"metadata\":{}}"))),
        StatusCodes.NOT_FOUND,
        "is not registered");
  }

  @Test
  void deletesADevice() {
    ApiKey key = organizationWithApiKey("dm");
    Device device = registerDevice(key, "t", "gone");

    TestRouteResult deleted = api.run(withApiKey(key, HttpRequest.DELETE(DEVICES + "/t/gone")));
    TestRouteResult deletedAgain =
        api.run(withApiKey(key, HttpRequest.DELETE(DEVICES + "/t/gone")));

    assertEquals(StatusCodes.NO_CONTENT, deleted.status());
    assertEquals("", deleted.entityString());
    assertError(deletedAgain, StatusCodes.NOT_FOUND, "is not registered");
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/t/gone"))),
        StatusCodes.NOT_FOUND,
        "is not registered");
    assertUnauthorized(publishJson(device, "e", "{}"), "Basic", "Unknown device");
  }

  @Test
  void keepsDevicesOfOtherOrganizationsApart() {
    ApiKey owner = organizationWithApiKey("dm");
    ApiKey other = organizationWithApiKey("dm");
    registerDevice(owner, "t", "mine");

    assertError(
        api.run(withApiKey(other, HttpRequest.GET(DEVICES + "/t/mine"))),
        StatusCodes.NOT_FOUND,
        "is not registered");
    assertError(
        api.run(withApiKey(other, HttpRequest.DELETE(DEVICES + "/t/mine"))),
        StatusCodes.NOT_FOUND,
        "is not registered");
    assertEquals(
        StatusCodes.OK, api.run(withApiKey(owner, HttpRequest.GET(DEVICES + "/t/mine"))).status());
  }

  // ---- lists, from the registry read model ----

  @Test
  void listsTheOrganizationsDevicesFromTheRegistry() {
    ApiKey key = organizationWithApiKey("dm");
    seedRegistry(key.org(), "mbed-sample", "1253138b4dcd", true);
    seedRegistry(key.org(), "raspberrypi-sample", "1958138a4dfe", false);
    seedRegistry(key.org(), "mbed-sample", "0001", true);
    seedRegistry(uniqueOrg("dm"), "mbed-sample", "elsewhere", true);

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.GET(DEVICES)));

    assertEquals(StatusCodes.OK, result.status());
    JsonNode body = body(result);
    assertEquals(
        List.of("mbed-sample/0001", "mbed-sample/1253138b4dcd", "raspberrypi-sample/1958138a4dfe"),
        typesAndIds(body));
    JsonNode first = body.get(0);
    assertEquals("d:" + key.org() + ":mbed-sample:0001", first.get("uuid").asText());
    assertEquals(parse(METADATA), first.get("metadata"));
    assertEquals("a-someone", first.at("/registration/auth/id").asText());
    assertEquals("apikey", first.at("/registration/auth/type").asText());
    assertEquals(REGISTERED_AT.toString(), first.at("/registration/date").asText());
    assertFalse(first.has("enabled"));
    assertFalse(body.get(2).get("enabled").asBoolean(true), "a disabled device says so");
  }

  @Test
  void listsDevicesOfOneTypeFromTheRegistry() {
    ApiKey key = organizationWithApiKey("dm");
    seedRegistry(key.org(), "mbed-sample", "b", true);
    seedRegistry(key.org(), "mbed-sample", "a", true);
    seedRegistry(key.org(), "raspberrypi-sample", "c", true);

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/mbed-sample")));
    TestRouteResult none = api.run(withApiKey(key, HttpRequest.GET(DEVICES + "/no-such-type")));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(List.of("mbed-sample/a", "mbed-sample/b"), typesAndIds(body(result)));
    assertEquals(StatusCodes.OK, none.status());
    assertEquals(0, body(none).size());
  }

  @Test
  void listsDeviceTypesWithCountsFromTheRegistry() {
    ApiKey key = organizationWithApiKey("dm");
    seedRegistry(key.org(), "raspberrypi-sample", "a", true);
    seedRegistry(key.org(), "mbed-sample", "b", true);
    seedRegistry(key.org(), "mbed-sample", "c", true);

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.GET("/api/v0001/device-types")));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(
        parse(
            "[{\"deviceType\":\"mbed-sample\",\"count\":2},"
                + "{\"deviceType\":\"raspberrypi-sample\",\"count\":1}]"),
        body(result));
  }

  @Test
  void listsNothingThatIsNotInTheRegistryYet() {
    ApiKey key = organizationWithApiKey("dm");
    registerDevice(key, "t", "not-projected-yet");

    TestRouteResult result = api.run(withApiKey(key, HttpRequest.GET(DEVICES)));

    assertEquals(StatusCodes.OK, result.status());
    assertEquals(0, body(result).size(), "the list comes from the read model only");
  }

  // ---- helpers ----

  private TestRouteResult register(ApiKey key, String body) {
    return api.run(withApiKey(key, withJson(HttpRequest.POST(DEVICES), body)));
  }

  private static String registration(String type, String id) {
    return "{\"type\":\"" + type + "\",\"id\":\"" + id + "\"}";
  }

  private void seedRegistry(String org, String type, String id, boolean enabled) {
    registry.register(
        new RegisteredDevice(
            org, type, id, parse(METADATA), enabled, "a-someone", "apikey", REGISTERED_AT, null));
  }

  private static List<String> typesAndIds(JsonNode devices) {
    List<String> result = new ArrayList<>();
    devices.forEach(d -> result.add(d.get("type").asText() + "/" + d.get("id").asText()));
    return result;
  }
}

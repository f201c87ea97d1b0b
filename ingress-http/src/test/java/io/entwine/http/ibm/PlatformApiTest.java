package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.registry.view.RegisteredDevice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM's platform API v0002 for the organization, device types, devices and bulk operations (IBM
 * Watson IoT Platform API v0002 documentation), authenticated by an API key.
 */
class PlatformApiTest extends ApiRouteTest {
  private static final String TYPES = "/api/v0002/device/types";
  private static final Instant REGISTERED_AT = Instant.parse("2026-12-07T10:00:00Z");

  PlatformApiTest(TestCluster cluster) {
    super(cluster);
  }

  // ---- organization and service status ----

  @Test
  void viewsTheOrganizationAndTheServiceStatus() {
    ApiKey key = organizationWithApiKey("v2");

    JsonNode org = body(api.run(withApiKey(key, HttpRequest.GET("/api/v0002/"))));
    JsonNode status = body(api.run(withApiKey(key, HttpRequest.GET("/api/v0002/service-status"))));

    assertEquals(key.org(), org.get("id").asText());
    assertTrue(org.get("enabled").asBoolean(), org::toString);
    assertEquals("green", status.get("messaging").asText());
  }

  @Test
  void refusesCallersWithoutAKeyAndKeysOfAnotherOrganization() {
    ApiKey key = organizationWithApiKey("v2");
    ApiKey other = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");

    assertUnauthorized(api.run(toOrg(key.org(), HttpRequest.GET(TYPES))), "Basic", "Basic");
    TestRouteResult crossed =
        api.run(
            HttpRequest.GET(TYPES + "/thermo")
                .addHeader(Host.create(key.org() + "." + DOMAIN))
                .addCredentials(basic(other.key(), other.token())));
    assertError(crossed, StatusCodes.FORBIDDEN, "does not belong to organization");
    assertError(
        api.run(withApiKey(other, HttpRequest.GET(TYPES + "/thermo"))),
        StatusCodes.NOT_FOUND,
        "does not exist");
  }

  // ---- device types ----

  @Test
  void createsReadsUpdatesListsAndDeletesADeviceType() {
    ApiKey key = organizationWithApiKey("v2");

    TestRouteResult created =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(TYPES),
                    "{\"id\":\"gw\",\"classId\":\"Gateway\",\"description\":\"a gateway\","
                        + "\"deviceInfo\":{\"model\":\"G1\"},\"metadata\":{\"a\":1}}")));
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    JsonNode type = body(created);
    assertEquals("Gateway", type.get("classId").asText());
    assertEquals("G1", type.at("/deviceInfo/model").asText());
    assertTrue(type.hasNonNull("createdDateTime"), type::toString);

    TestRouteResult updated =
        api.run(
            withApiKey(
                key, withJson(HttpRequest.PUT(TYPES + "/gw"), "{\"description\":\"renamed\"}")));
    assertEquals(StatusCodes.OK, updated.status(), updated.entityString());
    assertEquals("renamed", body(updated).get("description").asText());
    assertEquals("G1", body(updated).at("/deviceInfo/model").asText());
    assertEquals(
        "renamed",
        body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "/gw")))).get("description").asText());

    TestRouteResult deleted = api.run(withApiKey(key, HttpRequest.DELETE(TYPES + "/gw")));
    assertEquals(StatusCodes.NO_CONTENT, deleted.status(), deleted.entityString());
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/gw"))), StatusCodes.NOT_FOUND, "gw");
  }

  @Test
  void listsDeviceTypesInPagesWithBookmarksAndSortOrder() {
    ApiKey key = organizationWithApiKey("v2");
    for (String id : List.of("c", "a", "b")) {
      createType(key, id, "Device");
    }

    JsonNode first = body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "?_limit=2"))));
    JsonNode second =
        body(
            api.run(
                withApiKey(
                    key,
                    HttpRequest.GET(
                        TYPES + "?_limit=2&_bookmark=" + first.get("bookmark").asText()))));
    JsonNode descending = body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "?_sort=-id"))));

    assertEquals(List.of("a", "b"), ids(first, "id"));
    assertEquals(3, first.at("/meta/total_rows").asInt());
    assertEquals(List.of("c"), ids(second, "id"));
    assertFalse(second.has("bookmark"), second::toString);
    assertEquals(List.of("c", "b", "a"), ids(descending, "id"));
  }

  @Test
  void refusesBadDeviceTypesAndDuplicatesAndChangesNothing() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");

    assertError(postType(key, "{\"id\":\"thermo\"}"), StatusCodes.CONFLICT, "already exists");
    assertError(
        postType(key, "{\"id\":\"x\",\"classId\":\"Phone\"}"), StatusCodes.BAD_REQUEST, "classId");
    assertError(
        postType(key, "{\"id\":\"x\",\"colour\":\"red\"}"), StatusCodes.BAD_REQUEST, "colour");
    assertError(postType(key, "{\"id\":\"x y\"}"), StatusCodes.BAD_REQUEST, "type");
    assertError(
        postType(key, "{\"id\":\"x\",\"deviceInfo\":{\"model\":7}}"),
        StatusCodes.BAD_REQUEST,
        "deviceInfo.model");
    assertError(postType(key, "[1]"), StatusCodes.BAD_REQUEST, "JSON object");
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "?_limit=0"))),
        StatusCodes.BAD_REQUEST,
        "_limit");

    JsonNode list = body(api.run(withApiKey(key, HttpRequest.GET(TYPES))));
    assertEquals(List.of("thermo"), ids(list, "id"));
  }

  @Test
  void refusesToDeleteATypeThatHasDevices() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");
    seedRegistry(key.org(), "thermo", "t1");

    assertError(
        api.run(withApiKey(key, HttpRequest.DELETE(TYPES + "/thermo"))),
        StatusCodes.CONFLICT,
        "has devices");
    assertEquals(
        StatusCodes.OK, api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo"))).status());
  }

  // ---- devices ----

  @Test
  void registersADeviceWithItsInfoLocationAndAGeneratedTokenThatItCanPublishWith() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");

    TestRouteResult created =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(TYPES + "/thermo/devices"),
                    "{\"deviceId\":\"t1\",\"deviceInfo\":{\"serialNumber\":\"SN-1\"},"
                        + "\"location\":{\"latitude\":52.5,\"longitude\":13.4},"
                        + "\"metadata\":{\"room\":\"42\"}}")));

    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    JsonNode device = body(created);
    assertEquals("d:" + key.org() + ":thermo:t1", device.get("clientId").asText());
    String token = device.get("authToken").asText();
    assertTrue(token.length() >= 8, device::toString);
    JsonNode read = body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices/t1"))));
    assertEquals("SN-1", read.at("/deviceInfo/serialNumber").asText());
    assertEquals(52.5, read.at("/location/latitude").asDouble());
    assertEquals("42", read.at("/metadata/room").asText());
    assertFalse(read.has("authToken"), "the token is shown once");
    assertEquals(
        StatusCodes.OK,
        publishJson(new Device(key.org(), "thermo", "t1", token), "status", "{\"d\":{}}").status());
  }

  @Test
  void updatesDeviceInfoMetadataAndLocation() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");
    postDevice(key, "thermo", "{\"deviceId\":\"t1\",\"deviceInfo\":{\"model\":\"M1\"}}");
    String path = TYPES + "/thermo/devices/t1";

    TestRouteResult updated =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(path),
                    "{\"deviceInfo\":{\"fwVersion\":\"2.0\"},\"metadata\":{\"x\":1}}")));
    TestRouteResult located =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(path + "/location"),
                    "{\"latitude\":-33.9,\"longitude\":151.2,\"elevation\":3}")));

    assertEquals(StatusCodes.OK, updated.status(), updated.entityString());
    assertEquals("2.0", body(updated).at("/deviceInfo/fwVersion").asText());
    assertEquals(1, body(updated).at("/metadata/x").asInt());
    assertEquals(StatusCodes.OK, located.status(), located.entityString());
    JsonNode location = body(api.run(withApiKey(key, HttpRequest.GET(path + "/location"))));
    assertEquals(-33.9, location.get("latitude").asDouble());
    assertTrue(location.hasNonNull("updatedDateTime"), location::toString);
  }

  @Test
  void refusesBadDevicesAndChangesNothing() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");
    postDevice(key, "thermo", "{\"deviceId\":\"t1\"}");
    String path = TYPES + "/thermo/devices/t1";

    assertError(
        postDeviceRaw(key, "nope", "{\"deviceId\":\"t2\"}"), StatusCodes.NOT_FOUND, "create it");
    assertError(postDeviceRaw(key, "thermo", "{\"deviceId\":\"t1\"}"), StatusCodes.CONFLICT, "t1");
    assertError(
        postDeviceRaw(key, "thermo", "{\"deviceId\":\"t3\",\"authToken\":\"short\"}"),
        StatusCodes.BAD_REQUEST,
        "authToken");
    assertError(
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT(path + "/location"), "{\"latitude\":91,\"longitude\":0}"))),
        StatusCodes.BAD_REQUEST,
        "latitude");
    assertError(
        api.run(withApiKey(key, withJson(HttpRequest.PUT(path), "{\"deviceInfo\":\"x\"}"))),
        StatusCodes.BAD_REQUEST,
        "deviceInfo");
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices/t3"))),
        StatusCodes.NOT_FOUND,
        "t3");
    assertEquals(
        "{}",
        body(api.run(withApiKey(key, HttpRequest.GET(path + "/location")))).toString(),
        "no location was set");
  }

  @Test
  void aDeviceIsUnmanagedAndDeletedThroughV0002() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");
    postDevice(key, "thermo", "{\"deviceId\":\"t1\"}");
    String path = TYPES + "/thermo/devices/t1";

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(path + "/mgmt"))),
        StatusCodes.NOT_FOUND,
        "not a managed device");
    assertEquals(
        StatusCodes.NO_CONTENT, api.run(withApiKey(key, HttpRequest.DELETE(path))).status());
    assertError(api.run(withApiKey(key, HttpRequest.GET(path))), StatusCodes.NOT_FOUND, "t1");
  }

  @Test
  void aDeviceRegisteredThroughV0001IsReadThroughV0002() {
    ApiKey key = organizationWithApiKey("v2");
    registerDevice(key, "legacy", "l1");

    JsonNode device = body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "/legacy/devices/l1"))));

    assertEquals("l1", device.get("deviceId").asText());
    assertEquals(key.key(), device.at("/registration/auth/id").asText());
    assertFalse(device.at("/status/alert/enabled").asBoolean(true));
    assertEquals(TYPES + "/legacy/devices/l1/location", device.at("/refs/location").asText());
  }

  @Test
  void listsTheDevicesOfATypeInPages() {
    ApiKey key = organizationWithApiKey("v2");
    for (String id : List.of("a", "b", "c")) {
      seedRegistry(key.org(), "thermo", id);
    }
    seedRegistry(key.org(), "other", "z");

    JsonNode first =
        body(api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices?_limit=2"))));
    JsonNode second =
        body(
            api.run(
                withApiKey(
                    key,
                    HttpRequest.GET(
                        TYPES
                            + "/thermo/devices?_limit=2&_bookmark="
                            + first.get("bookmark").asText()))));

    assertEquals(List.of("a", "b"), ids(first, "deviceId"));
    // each item links its resources as IBM's list items do
    assertEquals(TYPES + "/thermo/devices/a/mgmt", first.at("/results/0/refs/mgmt").asText());
    assertEquals(
        TYPES + "/thermo/devices/a/diag/errorCodes",
        first.at("/results/0/refs/diag/errorCodes").asText());
    assertFalse(first.at("/results/0/status/alert/enabled").asBoolean(true));
    assertEquals(3, first.at("/meta/total_rows").asInt());
    assertEquals(List.of("c"), ids(second, "deviceId"));
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices?_sort=-deviceId"))),
        StatusCodes.BAD_REQUEST,
        "ascending");
  }

  @Test
  void findsTheDevicesOfATypeByIdOrIdPrefixInPages() {
    ApiKey key = organizationWithApiKey("v2");
    for (String id : List.of("lab-2", "lab-1", "lab-10", "lab", "lac", "la")) {
      seedRegistry(key.org(), "thermo", id);
    }
    seedRegistry(key.org(), "other", "lab-3");
    seedRegistry("someoneelse", "thermo", "lab-4");
    String devices = TYPES + "/thermo/devices";

    JsonNode first = listed(key, devices + "?deviceId=lab*&_limit=3");
    JsonNode second =
        listed(
            key, devices + "?deviceId=lab*&_limit=3&_bookmark=" + first.get("bookmark").asText());
    JsonNode exact = listed(key, devices + "?deviceId=lab-1");

    assertEquals(List.of("lab", "lab-1", "lab-10"), ids(first, "deviceId"));
    assertEquals(4, first.at("/meta/total_rows").asInt());
    assertEquals(List.of("lab-2"), ids(second, "deviceId"));
    assertFalse(second.has("bookmark"), second::toString);
    assertEquals(List.of("lab-1"), ids(exact, "deviceId"));
    assertEquals(1, exact.at("/meta/total_rows").asInt());
    assertEquals(List.of(), ids(listed(key, devices + "?deviceId=zz*"), "deviceId"));
    for (String bad : List.of("a%2Fb*", "lab**", "x".repeat(33) + "*")) {
      assertError(
          api.run(withApiKey(key, HttpRequest.GET(devices + "?deviceId=" + bad))),
          StatusCodes.BAD_REQUEST,
          "deviceId is a device id, or an id prefix followed by *");
    }
  }

  @Test
  void findsDeviceTypesByIdPrefix() {
    ApiKey key = organizationWithApiKey("v2");
    for (String id : List.of("thermo", "therm", "valve")) {
      createType(key, id, "Device");
    }

    JsonNode found = listed(key, TYPES + "?id=ther*");

    assertEquals(List.of("therm", "thermo"), ids(found, "id"));
    assertEquals(2, found.at("/meta/total_rows").asInt());
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "?id=th%20*"))),
        StatusCodes.BAD_REQUEST,
        "id prefix followed by *");
  }

  private JsonNode listed(ApiKey key, String uri) {
    return body(api.run(withApiKey(key, HttpRequest.GET(uri))));
  }

  // ---- bulk ----

  @Test
  void bulkAddRegistersEveryDeviceOrSaysPerDeviceWhyNot() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");

    TestRouteResult all =
        bulk(
            key,
            "add",
            "[{\"typeId\":\"thermo\",\"deviceId\":\"b1\"},"
                + "{\"typeId\":\"thermo\",\"deviceId\":\"b2\",\"authToken\":\"secret-token-1\"}]");
    TestRouteResult partial =
        bulk(
            key,
            "add",
            "[{\"typeId\":\"thermo\",\"deviceId\":\"b1\"},"
                + "{\"typeId\":\"nope\",\"deviceId\":\"b3\"},"
                + "{\"typeId\":\"thermo\",\"deviceId\":\"b4\"}]");

    assertEquals(StatusCodes.CREATED, all.status(), all.entityString());
    JsonNode added = body(all);
    assertTrue(added.get(0).get("success").asBoolean(), added::toString);
    assertEquals("secret-token-1", added.get(1).get("authToken").asText());
    assertEquals(StatusCodes.ACCEPTED, partial.status(), partial.entityString());
    JsonNode results = body(partial);
    assertFalse(results.get(0).get("success").asBoolean(), results::toString);
    assertTrue(
        results.get(0).get("error").asText().contains("already registered"), results::toString);
    assertFalse(results.get(1).get("success").asBoolean(), results::toString);
    assertTrue(results.get(2).get("success").asBoolean(), results::toString);
    assertEquals(
        StatusCodes.OK,
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices/b4"))).status());
  }

  @Test
  void aMalformedBulkBodyIsRefusedWholeAndRegistersNothing() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");

    assertError(bulk(key, "add", "{\"typeId\":\"thermo\"}"), StatusCodes.BAD_REQUEST, "array");
    assertError(bulk(key, "add", "[]"), StatusCodes.BAD_REQUEST, "array");
    assertError(
        bulk(
            key,
            "add",
            "[{\"typeId\":\"thermo\",\"deviceId\":\"m1\"},{\"typeId\":\"thermo\",\"deviceId\":\"bad id\"}]"),
        StatusCodes.BAD_REQUEST,
        "deviceId");
    assertError(
        bulk(
            key,
            "add",
            "[{\"typeId\":\"thermo\",\"deviceId\":\"m1\"},{\"typeId\":\"thermo\",\"deviceId\":\"m1\"}]"),
        StatusCodes.BAD_REQUEST,
        "more than once");
    assertError(
        bulk(key, "add", "[" + "{\"typeId\":\"thermo\",\"deviceId\":\"m1\"},".repeat(15000) + "1]"),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "");

    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices/m1"))),
        StatusCodes.NOT_FOUND,
        "m1");
  }

  @Test
  void bulkRemoveDeletesEachDeviceAndSaysWhichWereNotThere() {
    ApiKey key = organizationWithApiKey("v2");
    createType(key, "thermo", "Device");
    bulk(key, "add", "[{\"typeId\":\"thermo\",\"deviceId\":\"r1\"}]");

    TestRouteResult removed =
        bulk(
            key,
            "remove",
            "[{\"typeId\":\"thermo\",\"deviceId\":\"r1\"},{\"typeId\":\"thermo\",\"deviceId\":\"r2\"}]");

    assertEquals(StatusCodes.ACCEPTED, removed.status(), removed.entityString());
    JsonNode results = body(removed);
    assertTrue(results.get(0).get("success").asBoolean(), results::toString);
    assertFalse(results.get(1).get("success").asBoolean(), results::toString);
    assertError(
        api.run(withApiKey(key, HttpRequest.GET(TYPES + "/thermo/devices/r1"))),
        StatusCodes.NOT_FOUND,
        "r1");
  }

  @Test
  void bulkListsEveryDeviceOfTheOrganizationOrOfOneType() {
    ApiKey key = organizationWithApiKey("v2");
    seedRegistry(key.org(), "a", "1");
    seedRegistry(key.org(), "b", "2");

    JsonNode all = body(api.run(withApiKey(key, HttpRequest.GET("/api/v0002/bulk/devices"))));
    JsonNode ofB =
        body(api.run(withApiKey(key, HttpRequest.GET("/api/v0002/bulk/devices?typeId=b"))));

    assertEquals(List.of("1", "2"), ids(all, "deviceId"));
    assertEquals(2, all.at("/meta/total_rows").asInt());
    assertEquals(List.of("2"), ids(ofB, "deviceId"));
  }

  // ---- helpers ----

  private void createType(ApiKey key, String id, String classId) {
    TestRouteResult created =
        postType(key, "{\"id\":\"" + id + "\",\"classId\":\"" + classId + "\"}");
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
  }

  private TestRouteResult postType(ApiKey key, String body) {
    return api.run(withApiKey(key, withJson(HttpRequest.POST(TYPES), body)));
  }

  private void postDevice(ApiKey key, String type, String body) {
    TestRouteResult created = postDeviceRaw(key, type, body);
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
  }

  private TestRouteResult postDeviceRaw(ApiKey key, String type, String body) {
    return api.run(
        withApiKey(key, withJson(HttpRequest.POST(TYPES + "/" + type + "/devices"), body)));
  }

  private TestRouteResult bulk(ApiKey key, String operation, String body) {
    return api.run(
        withApiKey(key, withJson(HttpRequest.POST("/api/v0002/bulk/devices/" + operation), body)));
  }

  private void seedRegistry(String org, String type, String id) {
    registry.register(
        new RegisteredDevice(
            org, type, id, null, true, "a-someone", "apikey", REGISTERED_AT, null));
  }

  private static List<String> ids(JsonNode page, String field) {
    List<String> ids = new ArrayList<>();
    page.get("results").forEach(result -> ids.add(result.get(field).asText()));
    return ids;
  }
}

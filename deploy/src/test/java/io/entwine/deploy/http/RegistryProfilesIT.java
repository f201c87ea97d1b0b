package io.entwine.deploy.http;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.wiotp.sdk.swagger.ApiClient;
import com.ibm.wiotp.sdk.swagger.ApiException;
import com.ibm.wiotp.sdk.swagger.api.DeviceBulkConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceTypeConfigurationApi;
import com.ibm.wiotp.sdk.swagger.model.DeviceAdditionRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceConcise;
import com.ibm.wiotp.sdk.swagger.model.DeviceInfo;
import com.ibm.wiotp.sdk.swagger.model.DeviceListResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceTypeCreationRequest;
import com.ibm.wiotp.sdk.swagger.model.UpdateableDeviceLocation;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.SharedCassandra;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM's v0002 device lists with each device's deviceInfo, location and metadata, as the registry
 * read model holds them (docs/adr/0070): listed and filtered by IBM's Java SDK, paged and refused
 * over plain HTTP, and brought back by the one-off backfill for devices whose profile the read
 * model never saw.
 */
class RegistryProfilesIT {
  private static final Duration PROJECTION_LAG = Duration.ofSeconds(60);

  @RegisterExtension
  static final TestNode node = TestNode.perClass("entwine.registry.profile-backfill-delay = 1s");

  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void theSdkListsDevicesWithTheirDeviceInfoAndFiltersByIt() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiClient client = fixtures.ibmSdk(key);
    createType(client, "meter");
    DeviceConfigurationApi devices = new DeviceConfigurationApi(client);
    register(devices, "meter", "m1", "Acme", "X1");
    register(devices, "meter", "m2", "Acme", "X2");
    register(devices, "meter", "m3", "Bolt", "X1");

    DeviceListResponse acme =
        awaitValue(
            PROJECTION_LAG,
            () -> IbmSdkLists.typeDevices(devices, "meter", 25, "Acme", null),
            page -> page.getResults().size() == 2);
    assertEquals(List.of("m1", "m2"), ids(acme));
    assertEquals(2, acme.getMeta().getTotalRows().intValue());
    assertEquals("X2", acme.getResults().get(1).getDeviceInfo().getModel());
    assertEquals(
        "/api/v0002/device/types/meter/devices/m2/location",
        acme.getResults().get(1).getRefs().getLocation());
    assertEquals(
        "owner-m2", ((java.util.Map<?, ?>) acme.getResults().get(1).getMetadata()).get("owner"));

    // m3 may reach the read model after m1 and m2 (another projection slice): wait for it too
    DeviceBulkConfigurationApi bulk = new DeviceBulkConfigurationApi(client);
    DeviceListResponse boltX1 =
        awaitValue(
            PROJECTION_LAG,
            () -> IbmSdkLists.bulkDevices(bulk, null, null, "Bolt", "X1"),
            page -> !page.getResults().isEmpty());
    assertEquals(List.of("m3"), ids(boltX1));
    assertEquals("SN-m3", boltX1.getResults().get(0).getDeviceInfo().getSerialNumber());

    JsonNode listed = get(key, "/device/types/meter/devices?deviceInfo.manufacturer=Ac*").json();
    assertEquals(2, listed.get("results").size(), listed.toString());
    assertEquals(
        50.0,
        listed.get("results").get(0).get("location").get("latitude").asDouble(),
        listed.toString());
  }

  @Test
  void filteredListsPageAndBadFiltersAreRefused() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiKey other = fixtures.organizationWithApiKey();
    ApiClient client = fixtures.ibmSdk(key);
    createType(client, "valve");
    DeviceConfigurationApi devices = new DeviceConfigurationApi(client);
    for (String id : List.of("v1", "v2", "v3")) {
      register(devices, "valve", id, "Acme", "V");
    }
    awaitValue(
        PROJECTION_LAG,
        () -> get(key, "/bulk/devices?deviceInfo.model=V").json().get("results").size(),
        size -> size == 3);

    JsonNode first = get(key, "/bulk/devices?deviceInfo.model=V&_limit=2").json();
    assertEquals(3, first.get("meta").get("total_rows").asInt(), first.toString());
    assertEquals(2, first.get("results").size());
    JsonNode second =
        get(
                key,
                "/bulk/devices?deviceInfo.model=V&_limit=2&_bookmark="
                    + first.get("bookmark").asText())
            .json();
    assertEquals("v3", second.get("results").get(0).get("deviceId").asText(), second.toString());
    assertTrue(second.path("bookmark").isMissingNode(), second.toString());

    assertError(get(key, "/bulk/devices?deviceInfo.colour=red"), "deviceInfo.colour");
    assertError(get(key, "/device/types/valve/devices?gatewayId=g1"), "gatewayId");
    assertError(get(key, "/device/types/valve/devices?deviceInfo.model="), "deviceInfo.model");
    assertError(get(key, "/bulk/devices?deviceInfo.model=V&_bookmark=nonsense"), "_bookmark");
    assertError(get(key, "/bulk/devices?deviceInfo.model=V&_limit=0"), "_limit");
    assertEquals(
        0,
        get(other, "/bulk/devices?deviceInfo.model=V").json().get("results").size(),
        "another organization sees none of them");
    TestNode.Response crossed =
        node.request("GET", "/api/v0002/bulk/devices?deviceInfo.model=V")
            .organization(key.org())
            .basic(other.key(), other.token())
            .send();
    assertEquals(403, crossed.status(), crossed.body());
  }

  @Test
  void theBackfillListsProfilesTheReadModelNeverSaw() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiClient client = fixtures.ibmSdk(key);
    createType(client, "pump");
    register(new DeviceConfigurationApi(client), "pump", "p1", "Acme", "P");
    awaitValue(PROJECTION_LAG, () -> listedModel(key), "P"::equals);

    // as an installation from before the registry kept profiles: rows without them, no backfill
    try (CqlSession cql = SharedCassandra.openSession()) {
      cql.execute(
          "UPDATE "
              + node.keyspace()
              + ".registry_devices SET device_info = null, location = null WHERE org = '"
              + key.org()
              + "' AND type = 'pump' AND id = 'p1'");
      cql.execute(
          "DELETE FROM " + node.keyspace() + ".registry_backfills WHERE name = 'device-profiles'");
    }
    assertEquals("", listedModel(key));

    node.restart();

    assertEquals("P", awaitValue(PROJECTION_LAG, () -> listedModel(key), "P"::equals));
  }

  // ---- helpers ----

  private static void createType(ApiClient client, String type) throws ApiException {
    new DeviceTypeConfigurationApi(client)
        .deviceTypesPost(
            new DeviceTypeCreationRequest()
                .id(type)
                .classId(DeviceTypeCreationRequest.ClassIdEnum.DEVICE));
  }

  private static void register(
      DeviceConfigurationApi devices, String type, String id, String manufacturer, String model)
      throws ApiException {
    devices.deviceTypesTypeIdDevicesPost(
        type,
        new DeviceAdditionRequest()
            .deviceId(id)
            .deviceInfo(
                new DeviceInfo().manufacturer(manufacturer).model(model).serialNumber("SN-" + id))
            .metadata(java.util.Map.of("owner", "owner-" + id))
            .location(new UpdateableDeviceLocation().latitude(50.0).longitude(8.0)));
  }

  private static String listedModel(ApiKey key) {
    JsonNode results = get(key, "/device/types/pump/devices").json().get("results");
    return results.isEmpty() ? "-" : results.get(0).path("deviceInfo").path("model").asText();
  }

  private static List<String> ids(DeviceListResponse page) {
    return page.getResults().stream().map(DeviceConcise::getDeviceId).toList();
  }

  private static TestNode.Response get(ApiKey key, String path) {
    return node.request("GET", "/api/v0002" + path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .send();
  }

  private static void assertError(TestNode.Response response, String messagePart) {
    assertEquals(400, response.status(), response.body());
    String message = response.json().path("message").asText();
    assertTrue(message.contains(messagePart), () -> message + " should contain " + messagePart);
  }
}

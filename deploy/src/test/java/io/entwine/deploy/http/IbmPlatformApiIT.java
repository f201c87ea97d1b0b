package io.entwine.deploy.http;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.wiotp.sdk.swagger.ApiClient;
import com.ibm.wiotp.sdk.swagger.ApiException;
import com.ibm.wiotp.sdk.swagger.api.DeviceBulkConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceLocationApi;
import com.ibm.wiotp.sdk.swagger.api.DeviceTypeConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.OrganizationConfigurationApi;
import com.ibm.wiotp.sdk.swagger.api.ServiceStatusApi;
import com.ibm.wiotp.sdk.swagger.model.Device;
import com.ibm.wiotp.sdk.swagger.model.DeviceAdditionRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceAdditionResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceBatchResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceBulkDeletionRequestList;
import com.ibm.wiotp.sdk.swagger.model.DeviceBulkDeletionResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceBulkDeletionResponseList;
import com.ibm.wiotp.sdk.swagger.model.DeviceBulkRegistrationRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceBulkRegistrationRequestList;
import com.ibm.wiotp.sdk.swagger.model.DeviceConcise;
import com.ibm.wiotp.sdk.swagger.model.DeviceInfo;
import com.ibm.wiotp.sdk.swagger.model.DeviceListResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceLocation;
import com.ibm.wiotp.sdk.swagger.model.DeviceTarget;
import com.ibm.wiotp.sdk.swagger.model.DeviceType;
import com.ibm.wiotp.sdk.swagger.model.DeviceTypeCreationRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceTypeListResponse;
import com.ibm.wiotp.sdk.swagger.model.DeviceTypeUpdateRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceUpdateRequest;
import com.ibm.wiotp.sdk.swagger.model.DeviceWithPasswordList;
import com.ibm.wiotp.sdk.swagger.model.UpdateableDeviceLocation;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM's platform API v0002 on a real node: driven by IBM's own Java SDK ({@code
 * com.ibm.wiotp:com.ibm.wiotp.sdk}, whose HTTP API is its swagger client) configured with only the
 * node's address and an API key, and by plain HTTP for the status codes of bad input.
 */
class IbmPlatformApiIT {
  private static final Duration PROJECTION_LAG = Duration.ofSeconds(30);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);

  // ---- IBM's SDK ----

  @Test
  void theSdkCreatesListsUpdatesAndDeletesADeviceTypeAndItsDevices() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiClient client = sdk(key);
    DeviceTypeConfigurationApi types = new DeviceTypeConfigurationApi(client);
    DeviceConfigurationApi devices = new DeviceConfigurationApi(client);

    assertEquals(key.org(), new OrganizationConfigurationApi(client).rootGet().getId());
    assertTrue(new ServiceStatusApi(client).serviceStatusGet().contains("green"));

    DeviceType created =
        types.deviceTypesPost(
            new DeviceTypeCreationRequest()
                .id("sdk-sensor")
                .classId(DeviceTypeCreationRequest.ClassIdEnum.DEVICE)
                .description("made by the SDK")
                .deviceInfo(new DeviceInfo().model("M1")));
    assertEquals("sdk-sensor", created.getId());
    assertEquals(DeviceType.ClassIdEnum.DEVICE, created.getClassId());
    DeviceType renamed =
        types.deviceTypesTypeIdPut(
            "sdk-sensor", new DeviceTypeUpdateRequest().description("renamed"));
    assertEquals("renamed", renamed.getDescription());
    assertEquals("M1", types.deviceTypesTypeIdGet("sdk-sensor").getDeviceInfo().getModel());
    DeviceTypeListResponse listed =
        types.deviceTypesGet(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    assertEquals(
        List.of("sdk-sensor"), listed.getResults().stream().map(DeviceType::getId).toList());

    DeviceAdditionResponse added =
        devices.deviceTypesTypeIdDevicesPost(
            "sdk-sensor",
            new DeviceAdditionRequest()
                .deviceId("d1")
                .deviceInfo(new DeviceInfo().serialNumber("SN-1"))
                .location(new UpdateableDeviceLocation().latitude(52.5).longitude(13.4)));
    assertEquals("d:" + key.org() + ":sdk-sensor:d1", clientIdOf(key, "sdk-sensor", "d1"));
    assertTrue(added.getAuthToken().length() >= 8, "the token is returned once");
    Device device = devices.deviceTypesTypeIdDevicesDeviceIdGet("sdk-sensor", "d1", null);
    assertEquals("SN-1", device.getDeviceInfo().getSerialNumber());
    assertEquals(52.5, device.getLocation().getLatitude());
    // the SDK reads IBM's links and alert flag into its model
    assertEquals("/api/v0002/device/types/sdk-sensor/devices/d1/mgmt", device.getRefs().getMgmt());
    assertEquals(
        "/api/v0002/device/types/sdk-sensor/devices/d1/diag/logs",
        device.getRefs().getDiag().getLogs());
    assertEquals(Boolean.FALSE, device.getStatus().getAlert().isEnabled());
    DeviceConcise updated =
        devices.deviceTypesTypeIdDevicesDeviceIdPut(
            "sdk-sensor",
            "d1",
            new DeviceUpdateRequest().deviceInfo(new DeviceInfo().fwVersion("2.0")));
    assertEquals("2.0", updated.getDeviceInfo().getFwVersion());
    DeviceLocationApi locations = new DeviceLocationApi(client);
    DeviceLocation moved =
        locations.deviceTypesTypeIdDevicesDeviceIdLocationPut(
            "sdk-sensor", "d1", new UpdateableDeviceLocation().latitude(-33.9).longitude(151.2));
    assertEquals(-33.9, moved.getLatitude());
    assertEquals(
        151.2,
        locations.deviceTypesTypeIdDevicesDeviceIdLocationGet("sdk-sensor", "d1").getLongitude());

    DeviceListResponse page =
        awaitValue(
            PROJECTION_LAG,
            () -> IbmSdkLists.typeDevices(devices, "sdk-sensor", null, null, null),
            list -> list.getResults().size() == 1);
    assertEquals("d1", page.getResults().get(0).getDeviceId());

    ApiException inUse =
        assertThrows(ApiException.class, () -> types.deviceTypesTypeIdDelete("sdk-sensor"));
    assertEquals(409, inUse.getCode());
    devices.deviceTypesTypeIdDevicesDeviceIdDelete("sdk-sensor", "d1");
    ApiException gone =
        assertThrows(
            ApiException.class,
            () -> devices.deviceTypesTypeIdDevicesDeviceIdGet("sdk-sensor", "d1", null));
    assertEquals(404, gone.getCode());
    awaitValue(PROJECTION_LAG, () -> deleteType(types, "sdk-sensor"), deleted -> deleted);
    assertEquals(
        404,
        assertThrows(ApiException.class, () -> types.deviceTypesTypeIdGet("sdk-sensor")).getCode());
  }

  @Test
  void theSdkAddsListsAndRemovesDevicesInBulk() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiClient client = sdk(key);
    new DeviceTypeConfigurationApi(client)
        .deviceTypesPost(
            new DeviceTypeCreationRequest()
                .id("bulk-type")
                .classId(DeviceTypeCreationRequest.ClassIdEnum.DEVICE));
    DeviceBulkConfigurationApi bulk = new DeviceBulkConfigurationApi(client);

    DeviceBulkRegistrationRequestList add = new DeviceBulkRegistrationRequestList();
    for (String id : List.of("b1", "b2", "b3")) {
      add.add(new DeviceBulkRegistrationRequest().typeId("bulk-type").deviceId(id));
    }
    DeviceWithPasswordList added = bulk.bulkDevicesAddPost(add);
    assertEquals(3, added.size());
    for (DeviceBatchResponse result : added) {
      assertTrue(result.isSuccess(), result.toString());
      assertTrue(result.getAuthToken().length() >= 8, result.toString());
    }

    DeviceListResponse firstPage =
        awaitValue(
            PROJECTION_LAG,
            () -> IbmSdkLists.bulkDevices(bulk, null, 2, null, null),
            // the count and the page are two reads: wait until both saw the third device
            page -> page.getMeta().getTotalRows().intValue() == 3 && page.getBookmark() != null);
    assertEquals(2, firstPage.getResults().size());
    DeviceListResponse secondPage =
        IbmSdkLists.bulkDevices(bulk, firstPage.getBookmark(), 2, null, null);
    assertEquals(
        List.of("b3"), secondPage.getResults().stream().map(DeviceConcise::getDeviceId).toList());

    DeviceBulkDeletionRequestList remove = new DeviceBulkDeletionRequestList();
    remove.add(new DeviceTarget().typeId("bulk-type").deviceId("b1"));
    remove.add(new DeviceTarget().typeId("bulk-type").deviceId("never-there"));
    DeviceBulkDeletionResponseList removed = bulk.bulkDevicesRemovePost(remove);
    assertEquals(
        List.of(true, false), removed.stream().map(DeviceBulkDeletionResponse::isSuccess).toList());
    assertEquals(
        404,
        assertThrows(
                ApiException.class,
                () ->
                    new DeviceConfigurationApi(client)
                        .deviceTypesTypeIdDevicesDeviceIdGet("bulk-type", "b1", null))
            .getCode());
  }

  // ---- plain HTTP: status codes and bad input ----

  @Test
  void refusesCallersWithoutAKeyOrWithAnotherOrganizationsKey() {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiKey other = fixtures.organizationWithApiKey();
    assertEquals(201, post(key, "/device/types", "{\"id\":\"mine\"}").status());

    TestNode.Response anonymous =
        node.request("GET", "/api/v0002/device/types").organization(key.org()).send();
    TestNode.Response crossed =
        node.request("GET", "/api/v0002/device/types/mine")
            .organization(key.org())
            .basic(other.key(), other.token())
            .send();
    TestNode.Response ownOrg = get(other, "/device/types/mine");

    assertEquals(401, anonymous.status(), anonymous.body());
    assertEquals(403, crossed.status(), crossed.body());
    assertEquals(404, ownOrg.status(), "another organization's type is not seen: " + ownOrg.body());
  }

  @Test
  void badBodiesGetPreciseErrorsAndChangeNothing() {
    ApiKey key = fixtures.organizationWithApiKey();
    assertEquals(201, post(key, "/device/types", "{\"id\":\"t\"}").status());

    assertError(post(key, "/device/types", "{\"id\":\"t\"}"), 409, "already exists");
    assertError(post(key, "/device/types", "{\"id\":\"u\",\"classId\":\"x\"}"), 400, "classId");
    assertError(post(key, "/device/types", "{not json"), 400, "Invalid JSON");
    assertError(post(key, "/device/types/nope/devices", "{\"deviceId\":\"d\"}"), 404, "nope");
    assertError(post(key, "/device/types/t/devices", "{\"deviceId\":\"a/b\"}"), 400, "deviceId");
    assertError(
        post(key, "/device/types/t/devices", "{\"deviceId\":\"d\",\"location\":{\"latitude\":1}}"),
        400,
        "longitude");
    assertError(post(key, "/bulk/devices/add", "{\"typeId\":\"t\"}"), 400, "array");
    String oversize = "[" + "{\"typeId\":\"t\",\"deviceId\":\"x\"},".repeat(20_000) + "{}]";
    assertEquals(413, post(key, "/bulk/devices/add", oversize).status());

    assertEquals(404, get(key, "/device/types/t/devices/d").status(), "nothing was registered");
    assertEquals(404, get(key, "/device/types/u").status());
    assertEquals(
        404,
        get(key, "/device/types/t/devices/d/mgmt").status(),
        "an unknown device is not managed either");
  }

  // ---- helpers ----

  private static ApiClient sdk(ApiKey key) {
    return fixtures.ibmSdk(key);
  }

  private static String clientIdOf(ApiKey key, String type, String id) {
    JsonNode device = get(key, "/device/types/" + type + "/devices/" + id).json();
    return device.get("clientId").asText();
  }

  /** True once the type is deleted; false while the registry still lists its devices (409). */
  private static boolean deleteType(DeviceTypeConfigurationApi types, String type) {
    try {
      types.deviceTypesTypeIdDelete(type);
      return true;
    } catch (ApiException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  private static TestNode.Response post(ApiKey key, String path, String body) {
    return node.request("POST", "/api/v0002" + path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .body("application/json", body.getBytes(StandardCharsets.UTF_8))
        .send();
  }

  private static TestNode.Response get(ApiKey key, String path) {
    return node.request("GET", "/api/v0002" + path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .send();
  }

  private static void assertError(TestNode.Response response, int status, String messagePart) {
    assertEquals(status, response.status(), response.body());
    String message = response.json().path("message").asText();
    assertTrue(message.contains(messagePart), () -> message + " should contain " + messagePart);
    assertFalse(message.isBlank());
  }
}

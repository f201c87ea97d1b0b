package io.entwine.http.ibm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.twin.TwinEvent;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.Test;

/**
 * IBM HTTP device events pass their organization's admission: the {@code ibm-http} adapter switched
 * off (403), the organization's payload limit (413) and message budget (429), each with nothing
 * recorded, told only to a device whose token its twin accepts.
 */
class DeviceEventAdmissionTest extends ApiRouteTest {
  DeviceEventAdmissionTest(TestCluster cluster) {
    super(cluster);
  }

  @Test
  void refusesEventsWith403WhileTheOrganizationHasTheAdapterSwitchedOff() {
    ApiKey key = organizationWithApiKey("adm");
    Device device = registerDevice(key, "sensor", "a1");
    switchAdapter(key.org(), "ibm-http", false);

    TestRouteResult refused = publishJson(device, "status", "{\"n\":1}");

    assertError(refused, StatusCodes.FORBIDDEN, "is not allowed to use the IBM HTTP adapter");
    assertEquals(0, recorded(device));
    switchAdapter(key.org(), "ibm-http", true);
    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"n\":2}").status());
    assertEquals(1, recorded(device));
  }

  @Test
  void tellsARefusalOnlyToADeviceItsTwinAuthenticates() {
    ApiKey key = organizationWithApiKey("adm");
    Device device = registerDevice(key, "sensor", "a2");
    Device impostor = new Device(device.org(), device.type(), device.id(), "wrong-token-12345");
    switchAdapter(key.org(), "ibm-http", false);

    assertUnauthorized(publishJson(impostor, "status", "{}"), "Basic", "Unknown device");
    Device unknown = new Device(key.org(), "sensor", "never-registered", "any-token-123456");
    assertUnauthorized(publishJson(unknown, "status", "{}"), "Basic", "Unknown device");
    assertEquals(0, recorded(device));
  }

  @Test
  void refusesAPayloadOverTheOrganizationsLimitWith413() {
    ApiKey key = organizationWithApiKey("adm");
    Device device = registerDevice(key, "sensor", "a3");
    setLimits(key.org(), "{\"max-payload-bytes\":8}");

    TestRouteResult refused = publishJson(device, "status", "{\"n\":123}");

    assertError(refused, StatusCodes.PAYLOAD_TOO_LARGE, "limit of 8 bytes");
    assertEquals(0, recorded(device));
    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"n\":12}").status(), "8 bytes");
  }

  @Test
  void refusesEventsOverTheOrganizationsBudgetWith429() {
    ApiKey key = organizationWithApiKey("adm");
    Device device = registerDevice(key, "sensor", "a4");
    setLimits(key.org(), "{\"messages-per-period\":2,\"period-seconds\":3600}");

    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"n\":1}").status());
    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"n\":2}").status());
    TestRouteResult third = publishJson(device, "status", "{\"n\":3}");

    assertError(third, StatusCodes.TOO_MANY_REQUESTS, "message limit of 2 per 3600 s");
    assertEquals(2, recorded(device), "the refused event was not recorded");
  }

  @Test
  void eventsWithAWrongTokenUseNoneOfTheBudget() {
    ApiKey key = organizationWithApiKey("adm");
    Device device = registerDevice(key, "sensor", "a5");
    Device impostor = new Device(device.org(), device.type(), device.id(), "wrong-token-12345");
    setLimits(key.org(), "{\"messages-per-period\":1,\"period-seconds\":3600}");

    for (int i = 0; i < 3; i++) {
      assertEquals(StatusCodes.UNAUTHORIZED, publishJson(impostor, "status", "{}").status());
    }

    assertEquals(StatusCodes.OK, publishJson(device, "status", "{\"n\":1}").status());
    assertEquals(1, recorded(device));
  }

  @Test
  void oneOrganizationsSettingsDoNotReachAnother() {
    ApiKey limited = organizationWithApiKey("adm");
    Device limitedDevice = registerDevice(limited, "sensor", "a6");
    switchAdapter(limited.org(), "ibm-http", false);
    setLimits(limited.org(), "{\"messages-per-period\":1,\"period-seconds\":3600}");
    ApiKey other = organizationWithApiKey("adm");
    Device otherDevice = registerDevice(other, "sensor", "a6");

    for (int i = 0; i < 3; i++) {
      assertEquals(StatusCodes.OK, publishJson(otherDevice, "status", "{}").status());
    }
    assertEquals(StatusCodes.FORBIDDEN, publishJson(limitedDevice, "status", "{}").status());
    assertEquals(3, recorded(otherDevice));
  }

  private void switchAdapter(String org, String adapter, boolean enabled) {
    TestRouteResult set =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.PUT(ORGANIZATIONS + "/" + org + "/adapters/" + adapter),
                    "{\"enabled\":" + enabled + "}")));
    assertEquals(StatusCodes.OK, set.status(), set.entityString());
  }

  private long recorded(Device device) {
    return cluster.twinEvents(device.key()).stream()
        .filter(event -> event instanceof TwinEvent.EventRecorded)
        .count();
  }
}

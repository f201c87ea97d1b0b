package io.entwine.http.hono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.twin.TwinEvent;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A device's Hono and Tencent credentials and its gateways, managed with an API key. */
class DeviceCredentialRoutesTest extends ApiRouteTest {
  private ApiKey key;
  private Device device;

  DeviceCredentialRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @BeforeEach
  void deviceOfAnOrganization() {
    key = organizationWithApiKey("cred");
    device = registerDevice(key, "sensor", "4711");
  }

  @Test
  void addsListsAndDeletesCredentialsWithoutEverShowingASecret() {
    TestRouteResult password =
        add("{\"type\":\"hashed-password\",\"auth-id\":\"sensor1\",\"secret\":\"hono-secret\"}");
    TestRouteResult psk = add("{\"type\":\"psk\",\"secret\":\"tencent-psk-1234\"}");

    assertEquals(StatusCodes.CREATED, password.status(), password.entityString());
    assertEquals("sensor1", body(password).get("auth-id").asText());
    assertEquals(StatusCodes.CREATED, psk.status(), psk.entityString());
    TestRouteResult listed = api.run(withApiKey(key, HttpRequest.GET(path())));
    assertEquals(StatusCodes.OK, listed.status());
    JsonNode list = body(listed);
    assertEquals(2, list.size(), list.toString());
    assertEquals("hashed-password", list.get(0).get("type").asText());
    assertEquals("psk", list.get(1).get("type").asText());
    assertFalse(listed.entityString().contains("hono-secret"));
    assertFalse(listed.entityString().contains("tencent-psk"));
    assertNoSecretInTheJournal();

    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(withApiKey(key, HttpRequest.DELETE(path() + "/hashed-password/sensor1"))).status());
    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(withApiKey(key, HttpRequest.DELETE(path() + "/psk"))).status());
    assertEquals(0, body(api.run(withApiKey(key, HttpRequest.GET(path())))).size());
    assertError(
        api.run(withApiKey(key, HttpRequest.DELETE(path() + "/psk"))),
        StatusCodes.NOT_FOUND,
        "no psk credential");
  }

  @Test
  void refusesAnAuthIdThatAnotherDeviceHoldsWith409UntilItIsDeleted() {
    Device other = registerDevice(key, "sensor", "4712");
    assertEquals(
        StatusCodes.CREATED,
        add("{\"type\":\"hashed-password\",\"auth-id\":\"shared\",\"secret\":\"one\"}").status());

    TestRouteResult taken =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(HonoRoutesTest.credentialsPath(other)),
                    "{\"type\":\"hashed-password\",\"auth-id\":\"shared\",\"secret\":\"two\"}")));
    assertError(taken, StatusCodes.CONFLICT, "already used by device sensor/4711");
    assertTrue(
        cluster.twinEvents(other.key()).stream()
            .noneMatch(e -> e instanceof TwinEvent.CredentialAdded),
        "nothing persisted");

    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(withApiKey(key, HttpRequest.DELETE(DEVICES + "/sensor/4711"))).status());
    TestRouteResult free =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST(HonoRoutesTest.credentialsPath(other)),
                    "{\"type\":\"hashed-password\",\"auth-id\":\"shared\",\"secret\":\"two\"}")));
    assertEquals(StatusCodes.CREATED, free.status(), "deleting a device frees its auth-ids");
  }

  @Test
  void refusesInvalidCredentialsWith400AndAnUnknownDeviceWith404() {
    assertError(add("{\"type\":\"x509\",\"secret\":\"s\"}"), StatusCodes.BAD_REQUEST, "'type'");
    assertError(
        add("{\"type\":\"hashed-password\",\"auth-id\":\"a@b\",\"secret\":\"s\"}"),
        StatusCodes.BAD_REQUEST,
        "auth-id");
    assertError(add("{\"type\":\"psk\"}"), StatusCodes.BAD_REQUEST, "'secret'");
    TestRouteResult unknown =
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.POST("/api/v0002/device/types/sensor/devices/ghost/credentials"),
                    "{\"type\":\"hashed-password\",\"auth-id\":\"ghostly\",\"secret\":\"s\"}")));
    assertError(unknown, StatusCodes.NOT_FOUND, "not registered");
    assertTrue(
        cluster.twinEvents(device.key()).stream()
            .noneMatch(e -> e instanceof TwinEvent.CredentialAdded));
  }

  @Test
  void addsAnX509CredentialUnderTheNormalizedSubjectDnAndDeletesIt() {
    TestRouteResult added = add("{\"type\":\"x509-cert\",\"auth-id\":\"CN=device1, O=ACME\"}");

    assertEquals(StatusCodes.CREATED, added.status(), added.entityString());
    assertEquals("CN=device1,O=ACME", body(added).get("auth-id").asText());
    JsonNode listed = body(api.run(withApiKey(key, HttpRequest.GET(path()))));
    assertEquals("x509-cert", listed.get(0).get("type").asText());
    assertError(
        add("{\"type\":\"x509-cert\",\"auth-id\":\"device1\"}"),
        StatusCodes.BAD_REQUEST,
        "subject DN");
    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(withApiKey(key, HttpRequest.DELETE(path() + "/x509-cert/CN=device1,%20O=ACME")))
            .status());
    assertEquals(0, body(api.run(withApiKey(key, HttpRequest.GET(path())))).size());
  }

  @Test
  void setsGatewaysByDeviceIdAndRefusesUnknownOnes() {
    registerDevice(key, "gateway", "gw-1");
    TestRouteResult unknown = setVia("{\"via\":[\"gw-404\"]}");
    assertError(unknown, StatusCodes.NOT_FOUND, "gw-404");
    assertError(setVia("{\"via\":\"gw-1\"}"), StatusCodes.BAD_REQUEST, "'via'");

    TestRouteResult set = setVia("{\"via\":[\"gw-1\"]}");

    assertEquals(StatusCodes.OK, set.status(), set.entityString());
    assertEquals("gw-1", body(set).get("via").get(0).asText());
    TwinEvent.GatewaysSet event =
        cluster.twinEvents(device.key()).stream()
            .filter(e -> e instanceof TwinEvent.GatewaysSet)
            .map(e -> (TwinEvent.GatewaysSet) e)
            .findFirst()
            .orElseThrow();
    assertEquals("gateway", event.via().get(0).type());
  }

  private TestRouteResult add(String json) {
    return api.run(withApiKey(key, withJson(HttpRequest.POST(path()), json)));
  }

  private TestRouteResult setVia(String json) {
    return api.run(
        withApiKey(
            key,
            withJson(
                HttpRequest.PUT("/api/v0002/device/types/sensor/devices/4711/gateways"), json)));
  }

  private String path() {
    return HonoRoutesTest.credentialsPath(device);
  }

  private void assertNoSecretInTheJournal() {
    for (Object event : cluster.twinEvents(device.key())) {
      if (event instanceof TwinEvent.CredentialAdded added) {
        assertFalse(String.valueOf(added.secretHash()).contains("hono-secret"));
        if ("psk".equals(added.type())) {
          assertNull(added.secretHash());
          assertTrue(added.encryptedSecret().startsWith("aes-gcm$"), added.encryptedSecret());
          assertFalse(added.encryptedSecret().contains("tencent-psk"));
        }
      }
    }
  }
}

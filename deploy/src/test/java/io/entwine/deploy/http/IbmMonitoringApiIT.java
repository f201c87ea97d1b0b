package io.entwine.deploy.http;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.ibm.wiotp.sdk.swagger.ApiClient;
import com.ibm.wiotp.sdk.swagger.ApiException;
import com.ibm.wiotp.sdk.swagger.api.DeviceProblemDeterminationApi;
import com.ibm.wiotp.sdk.swagger.api.UsageManagementApi;
import com.ibm.wiotp.sdk.swagger.model.DataTraffic;
import com.ibm.wiotp.sdk.swagger.model.ListOfLogEntries;
import io.entwine.deploy.mqtt.Paho;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The v0002 paths IBM's libraries call to look back at devices, on a real node: historical event
 * retrieval (bookmark paging), usage management (IBM's Java SDK's {@code UsageManagementApi} and
 * plain HTTP) and connection monitoring (the SDK's {@code DeviceProblemDeterminationApi} for a Paho
 * device that connected and disconnected; client connection states), each with bad input and
 * another organization's key.
 */
class IbmMonitoringApiIT {
  private static final Duration PROJECTION_LAG = Duration.ofSeconds(60);

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void historianPagesADevicesEventsWithTheBookmarkAndKeepsOrganizationsApart() {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiKey other = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "meter", "m1");
    for (int i = 0; i < 3; i++) {
      String payload = "{\"d\":{\"n\":" + i + "},\"ts\":\"2026-11-23T10:00:0" + i + "Z\"}";
      assertEquals(200, send(device, payload).status());
    }
    String path = "/historian/types/meter/devices/m1";

    JsonNode first =
        awaitValue(
            PROJECTION_LAG,
            () -> get(key, path + "?top=2").json(),
            // a bookmark once the third event is in the historian too
            page -> page.path("events").size() == 2 && page.has("bookmark"));
    String bookmark = URLEncoder.encode(first.get("bookmark").asText(), StandardCharsets.UTF_8);
    JsonNode second = get(key, path + "?top=2&_bookmark=" + bookmark).json();

    List<Integer> seen = new ArrayList<>();
    first.get("events").forEach(e -> seen.add(e.get("evt").get("d").get("n").asInt()));
    second.get("events").forEach(e -> seen.add(e.get("evt").get("d").get("n").asInt()));
    assertEquals(List.of(2, 1, 0), seen);
    assertFalse(second.has("bookmark"), second.toString());
    JsonNode newest = first.get("events").get(0);
    assertEquals("meter", newest.get("device_type").asText());
    assertEquals("m1", newest.get("device_id").asText());
    assertEquals("status", newest.get("evt_type").asText());
    assertEquals("2026-11-23T10:00:02Z", newest.get("timestamp").asText());
    assertEquals(3, get(key, "/historian").json().get("events").size());

    assertEquals(0, get(other, path).json().get("events").size(), "another organization's");
    assertEquals(400, get(other, path + "?_bookmark=" + bookmark).status());
    assertEquals(400, get(key, path + "?top=0").status());
    assertEquals(
        403,
        node.request("GET", "/api/v0002" + path)
            .organization(key.org())
            .basic(other.key(), other.token())
            .send()
            .status());
    assertEquals(
        401, node.request("GET", "/api/v0002/historian").organization(key.org()).send().status());
  }

  @Test
  void usageCountsWhatDevicesSentAndTheSdkReadsIt() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device a = fixtures.register(key, "meter", "a");
    Device b = fixtures.register(key, "meter", "b");
    String payload = "{\"d\":{\"v\":1}}";
    assertEquals(200, send(a, payload).status());
    assertEquals(200, send(a, payload).status());
    assertEquals(200, send(b, payload).status());
    int sent = 3 * payload.getBytes(StandardCharsets.UTF_8).length;
    String today = LocalDate.now(ZoneOffset.UTC).toString();

    UsageManagementApi usage = new UsageManagementApi(sdk(key));
    DataTraffic traffic =
        awaitValue(
            PROJECTION_LAG,
            () -> dataTraffic(usage, today),
            found -> found.getTotal() != null && found.getTotal() == sent);
    assertEquals(today, traffic.getStart());
    assertEquals(1, traffic.getDays().size());
    assertEquals(sent, traffic.getDays().get(0).getTotal());

    String range = "?start=" + today + "&end=" + today;
    assertEquals(2, get(key, "/usage/active-devices" + range).json().get("total").asInt());
    assertEquals(sent, get(key, "/usage/historical-data" + range).json().get("total").asInt());
    ApiKey other = fixtures.organizationWithApiKey();
    assertEquals(0, get(other, "/usage/data-traffic" + range).json().get("total").asInt());

    assertEquals(400, get(key, "/usage/data-traffic?end=" + today).status());
    assertEquals(400, get(key, "/usage/data-traffic?start=2026-12-02&end=2026-12-01").status());
    assertEquals(400, get(key, "/usage/active-devices?start=2020&end=2026").status());
    assertEquals(400, get(key, "/usage/active-devices?start=yesterday&end=2026").status());
  }

  @Test
  void connectionsOfAnMqttDeviceAreLoggedAndItsStateIsKept() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiKey other = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "meter", "c1");
    String clientId = Paho.clientId(device);
    String statePath = "/clientconnectionstates/" + clientId;

    MqttClient client = Paho.device(node.mqttUri(), device);
    JsonNode connected =
        awaitValue(
                Duration.ofSeconds(30),
                () -> get(key, statePath),
                response -> response.status() == 200)
            .json();
    assertEquals("connected", connected.get("connectionStatus").asText(), connected.toString());
    assertEquals("device", connected.get("clientType").asText());
    assertEquals("3.1.1", connected.get("mqttConnectProtocol").asText());
    client.disconnect();
    client.close();

    JsonNode disconnected =
        awaitValue(
            Duration.ofSeconds(30),
            () -> get(key, statePath).json(),
            state -> "disconnected".equals(state.path("connectionStatus").asText()));
    assertTrue(disconnected.has("lastDisconnectTime"), disconnected.toString());
    JsonNode list = get(key, "/clientconnectionstates?_limit=10").json();
    assertEquals(clientId, list.get("results").get(0).get("id").asText(), list.toString());

    DeviceProblemDeterminationApi problems = new DeviceProblemDeterminationApi(sdk(key));
    ListOfLogEntries log =
        awaitValue(
            Duration.ofSeconds(30), () -> connectionLog(problems), found -> found.size() == 2);
    assertTrue(log.get(0).getMessage().startsWith("Closed connection"), log.toString());
    assertTrue(log.get(1).getMessage().startsWith("Connected from"), log.toString());

    assertEquals(404, get(other, statePath).status(), "another organization's client");
    assertEquals(
        0,
        get(other, "/logs/connection?typeId=meter&deviceId=c1").json().size(),
        "another organization's log");
    assertEquals(400, get(key, "/logs/connection?typeId=meter").status());
    assertEquals(400, get(key, "/logs/connection?typeId=meter&deviceId=c1&limit=21").status());
    assertEquals(
        400,
        get(key, "/logs/connection?typeId=meter&deviceId=c1&fromTime=2026-12-01T00:00:00Z")
            .status());
    assertEquals(400, get(key, "/clientconnectionstates?_bookmark=%25%25").status());
  }

  // ---- helpers ----

  private static ApiClient sdk(ApiKey key) {
    return fixtures.ibmSdk(key);
  }

  private static DataTraffic dataTraffic(UsageManagementApi usage, String day) {
    try {
      return usage.usageDataTrafficGet(day, day, true);
    } catch (ApiException e) {
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  private static ListOfLogEntries connectionLog(DeviceProblemDeterminationApi problems) {
    try {
      return problems.logsConnectionGet("meter", "c1", null, null, null, null);
    } catch (ApiException e) {
      throw new AssertionError(e.getCode() + " " + e.getResponseBody(), e);
    }
  }

  private static TestNode.Response send(Device device, String payload) {
    return fixtures.sendEvent(
        device, "status", "application/json", payload.getBytes(StandardCharsets.UTF_8));
  }

  private static TestNode.Response get(ApiKey key, String path) {
    return node.request("GET", "/api/v0002" + path)
        .organization(key.org())
        .basic(key.key(), key.token())
        .send();
  }
}

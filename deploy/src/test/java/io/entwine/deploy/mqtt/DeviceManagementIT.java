package io.entwine.deploy.mqtt;

import static io.entwine.deploy.testing.TestNode.awaitValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.deploy.mqtt.Paho.Inbox;
import io.entwine.deploy.mqtt.Paho.Received;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.Fixtures.Device;
import io.entwine.deploy.testing.TestNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IBM's device management on a real node: a managed device speaking the device management protocol
 * over MQTT with Paho (IBM's Java SDK 0.4.1 has no managed-device client), an application
 * initiating requests through {@code /api/v0002/mgmt/requests} over HTTP (the SDK 0.4.1 has no
 * client for them either), and bad input answered with IBM's status, changing nothing. Requests
 * time out after {@link #REQUEST_TIMEOUT} here (an hour by default), across a restart too.
 */
class DeviceManagementIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  @RegisterExtension
  static final TestNode node =
      TestNode.perClass("entwine.mgmt.request-timeout = " + REQUEST_TIMEOUT.toSeconds() + "s");

  private static final Fixtures fixtures = new Fixtures(node);

  @Test
  void aManagedDeviceIsRebootedThenDownloadsAndInstallsFirmware() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-1");
    try (Inbox agent = managedDevice(device)) {
      JsonNode mgmt = get(key, devicePath(device) + "/mgmt").json();
      assertTrue(mgmt.path("supports").path("deviceActions").asBoolean(), mgmt.toString());
      assertFalse(mgmt.path("dormant").asBoolean());

      String reboot =
          initiate(key, "{\"action\":\"device/reboot\",\"devices\":[" + target(device) + "]}");
      JsonNode initiate = expect(agent, "iotdm-1/mgmt/initiate/device/reboot");
      assertEquals(reboot, initiate.path("reqId").asText());
      respond(agent, reboot, 202);
      assertEquals(0, get(key, "/mgmt/requests/" + reboot).json().path("status").asInt());
      agent.client.disconnect();
    }
    try (Inbox agent = managedDevice(device)) { // the device is back after its reboot
      JsonNode request = awaitComplete(key, listedLast(key));
      assertEquals(1, request.path("status").asInt(), request.toString());
      JsonNode status =
          get(key, "/mgmt/requests/" + request.path("id").asText() + "/deviceStatus").json();
      assertEquals(1, status.path("results").get(0).path("status").asInt(), status.toString());

      String download =
          initiate(
              key,
              """
              {"action":"firmware/download","parameters":[
                {"name":"uri","value":"https://firmware.example/2.0.bin"},
                {"name":"version","value":"2.0"}],
               "devices":[%s]}"""
                  .formatted(target(device)));
      JsonNode update = expect(agent, "iotdm-1/device/update");
      JsonNode firmware = update.path("d").path("fields").get(0);
      assertEquals("mgmt.firmware", firmware.path("field").asText());
      assertEquals("https://firmware.example/2.0.bin", firmware.path("value").path("uri").asText());
      respond(agent, update.path("reqId").asText(), 204);
      respond(agent, expect(agent, "iotdm-1/observe").path("reqId").asText(), 200);
      assertEquals(
          download,
          expect(agent, "iotdm-1/mgmt/initiate/firmware/download").path("reqId").asText());
      respond(agent, download, 202);
      notifyFirmware(agent, "{\"state\":1}");
      notifyFirmware(agent, "{\"state\":2}");
      respond(agent, expect(agent, "iotdm-1/cancel").path("reqId").asText(), 200);
      assertEquals(1, awaitComplete(key, download).path("status").asInt());
      assertEquals(
          2, get(key, devicePath(device) + "/mgmt").json().path("firmware").path("state").asInt());

      String install =
          initiate(key, "{\"action\":\"firmware/update\",\"devices\":[" + target(device) + "]}");
      respond(agent, expect(agent, "iotdm-1/observe").path("reqId").asText(), 200);
      expect(agent, "iotdm-1/mgmt/initiate/firmware/update");
      respond(agent, install, 202);
      notifyFirmware(agent, "{\"updateStatus\":1}");
      notifyFirmware(agent, "{\"state\":0,\"updateStatus\":0}");
      expect(agent, "iotdm-1/cancel");
      assertEquals(1, awaitComplete(key, install).path("status").asInt());
    }
  }

  @Test
  void aFailedFirmwareDownloadAndAnUnmanagedDeviceEndWithIbmsReturnCodes() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device managed = fixtures.register(key, "dm-sensor", "dm-fail");
    Device unmanaged = fixtures.register(key, "dm-sensor", "dm-plain");
    try (Inbox agent = managedDevice(managed)) {
      String download =
          initiate(
              key,
              """
              {"action":"firmware/download","parameters":[{"name":"uri","value":"https://x/fw"}],
               "devices":[%s,%s]}"""
                  .formatted(target(managed), target(unmanaged)));
      respond(agent, expect(agent, "iotdm-1/device/update").path("reqId").asText(), 204);
      respond(agent, expect(agent, "iotdm-1/observe").path("reqId").asText(), 200);
      expect(agent, "iotdm-1/mgmt/initiate/firmware/download");
      respond(agent, download, 202);
      notifyFirmware(agent, "{\"state\":0,\"updateStatus\":6}");

      JsonNode request = awaitComplete(key, download);
      assertEquals(2, request.path("status").asInt(), request.toString());
      JsonNode results =
          get(key, "/mgmt/requests/" + download + "/deviceStatus").json().path("results");
      assertEquals(500, results.get(0).path("rc").asInt(), results.toString());
      assertEquals(409, results.get(1).path("rc").asInt(), results.toString());
      assertEquals(2, results.get(1).path("status").asInt());

      assertEquals(204, delete(key, "/mgmt/requests/" + download).status());
      assertEquals(404, get(key, "/mgmt/requests/" + download).status());
    }
  }

  @Test
  void aSilentDeviceTimesOutWithRc408AndIsFreeForTheNextRequest() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-silent");
    try (Inbox agent = managedDevice(device)) {
      String install =
          initiate(key, "{\"action\":\"firmware/update\",\"devices\":[" + target(device) + "]}");
      expect(agent, "iotdm-1/observe"); // and never answered

      awaitTimedOut(key, install);
      expect(agent, "iotdm-1/cancel"); // the observation it had been asked for is cancelled

      assertARebootReaches(key, device, agent);
    }
  }

  @Test
  void aTimeoutSurvivesANodeRestart() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-restart");
    String reboot;
    try (Inbox agent = managedDevice(device)) {
      reboot = initiate(key, "{\"action\":\"device/reboot\",\"devices\":[" + target(device) + "]}");
      expect(agent, "iotdm-1/mgmt/initiate/device/reboot"); // and never answered
    }
    node.restart();

    awaitTimedOut(key, reboot);
    try (Inbox agent = managedDevice(device)) { // the device is free again
      assertARebootReaches(key, device, agent);
    }
  }

  @Test
  void aGatewayManagesADeviceBehindItAndRebootsItButNoOtherDevice() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device gateway = fixtures.register(key, "dm-hub", "dm-gw");
    Device behind = fixtures.register(key, "dm-sensor", "dm-behind");
    Device stranger = fixtures.register(key, "dm-sensor", "dm-stranger");
    fixtures.setVia(key, behind, gateway.id());
    String requests = "iotdevice-1/type/dm-sensor/id/dm-behind/";
    String answers = "iotdm-1/type/dm-sensor/id/dm-behind/";
    try (Inbox hub =
        Paho.inbox(
                node.mqttUri(),
                "g:" + key.org() + ":dm-hub:dm-gw",
                Paho.DEVICE_USERNAME,
                gateway.token(),
                true)
            .subscribe("iotdm-1/type/+/id/+/#", 1)) {
      publish(hub, requests + "mgmt/manage", manageRequest("g1"));
      assertEquals(200, responseOn(hub, answers + "response", "g1").path("rc").asInt());
      JsonNode mgmt = get(key, devicePath(behind) + "/mgmt").json();
      assertTrue(mgmt.path("supports").path("deviceActions").asBoolean(), mgmt.toString());

      String reboot =
          initiate(key, "{\"action\":\"device/reboot\",\"devices\":[" + target(behind) + "]}");
      assertEquals(
          reboot, expect(hub, answers + "mgmt/initiate/device/reboot").path("reqId").asText());
      publish(hub, requests + "response", "{\"rc\":202,\"reqId\":\"" + reboot + "\"}");
      publish(hub, requests + "mgmt/manage", manageRequest("g2")); // the device is back
      assertEquals(1, awaitComplete(key, reboot).path("status").asInt());

      publish(hub, "iotdevice-1/type/dm-sensor/id/dm-stranger/mgmt/manage", manageRequest("g3"));
      JsonNode refused = responseOn(hub, "iotdm-1/type/dm-sensor/id/dm-stranger/response", "g3");
      assertEquals(403, refused.path("rc").asInt(), refused.toString());
      assertEquals(404, get(key, devicePath(stranger) + "/mgmt").status());
    }
  }

  @Test
  void diagnosticsComeFromTheDeviceAndTheApi() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-diag");
    try (Inbox agent = managedDevice(device)) {
      publish(
          agent,
          "iotdevice-1/add/diag/log",
          "{\"d\":{\"message\":\"disk full\",\"severity\":2},\"reqId\":\"l1\"}");
      assertEquals(200, response(agent, "l1").path("rc").asInt());
      publish(
          agent, "iotdevice-1/add/diag/errorCodes", "{\"d\":{\"errorCode\":42},\"reqId\":\"e1\"}");
      assertEquals(200, response(agent, "e1").path("rc").asInt());
      publish(agent, "iotdevice-1/add/diag/log", "{\"d\":{\"severity\":7},\"reqId\":\"bad\"}");
      assertEquals(400, response(agent, "bad").path("rc").asInt());
      publish(agent, "iotdevice-1/no/such/thing", "{\"reqId\":\"what\"}");
      assertEquals(404, response(agent, "what").path("rc").asInt());

      String logs = devicePath(device) + "/diag/logs";
      assertEquals(201, post(key, logs, "{\"message\":\"from the api\",\"severity\":1}").status());
      JsonNode listed = get(key, logs).json();
      assertEquals(2, listed.size(), listed.toString());
      assertEquals("disk full", listed.get(0).path("message").asText());
      assertEquals(
          42,
          get(key, devicePath(device) + "/diag/errorCodes")
              .json()
              .get(0)
              .path("errorCode")
              .asInt());

      publish(agent, "iotdevice-1/clear/diag/log", "{\"reqId\":\"c1\"}");
      assertEquals(200, response(agent, "c1").path("rc").asInt());
      assertEquals(0, get(key, logs).json().size());
      assertEquals(204, delete(key, devicePath(device) + "/diag/errorCodes").status());
      assertEquals(0, get(key, devicePath(device) + "/diag/errorCodes").json().size());
      assertEquals(400, post(key, logs, "{\"severity\":1}").status());
    }
  }

  @Test
  void aManagedDeviceUpdatesItsLocationAsTheRestApiReadsIt() throws Exception {
    ApiKey key = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-gps");
    String location = devicePath(device) + "/location";
    try (Inbox agent = managedDevice(device)) {
      publish(
          agent,
          "iotdevice-1/device/update/location",
          "{\"d\":{\"longitude\":8.54,\"latitude\":47.37,\"elevation\":408,"
              + "\"measuredDateTime\":\"2026-12-07T10:00:00Z\","
              + "\"updatedDateTime\":\"2026-12-07T10:00:01Z\"},\"reqId\":\"g1\"}");
      assertEquals(200, response(agent, "g1").path("rc").asInt());
      JsonNode stored = get(key, location).json();
      assertEquals(47.37, stored.path("latitude").asDouble(), stored.toString());
      assertEquals(408, stored.path("elevation").asInt(), stored.toString());
      assertEquals("2026-12-07T10:00:00Z", stored.path("measuredDateTime").asText());

      // each update is the whole location; a bad one is refused and changes nothing
      publish(
          agent,
          "iotdevice-1/device/update/location",
          "{\"d\":{\"longitude\":200,\"latitude\":47},\"reqId\":\"g2\"}");
      JsonNode refused = response(agent, "g2");
      assertEquals(400, refused.path("rc").asInt());
      assertTrue(refused.path("message").asText().contains("longitude"), refused.toString());
      assertEquals(stored, get(key, location).json());

      publish(
          agent,
          "iotdevice-1/device/update/location",
          "{\"d\":{\"longitude\":8.55,\"latitude\":47.38},\"reqId\":\"g3\"}");
      assertEquals(200, response(agent, "g3").path("rc").asInt());
      JsonNode replaced = get(key, location).json();
      assertEquals(8.55, replaced.path("longitude").asDouble(), replaced.toString());
      assertFalse(replaced.has("elevation"), replaced.toString());
    }
  }

  @Test
  void badRequestsGetIbmsStatusAndChangeNothing() {
    ApiKey key = fixtures.organizationWithApiKey();
    ApiKey other = fixtures.organizationWithApiKey();
    Device device = fixtures.register(key, "dm-sensor", "dm-bad");
    Device foreign = fixtures.register(other, "dm-sensor", "dm-foreign");

    assertEquals(
        400,
        post(
                key,
                "/mgmt/requests",
                "{\"action\":\"device/explode\",\"devices\":[" + target(device) + "]}")
            .status());
    assertEquals(400, post(key, "/mgmt/requests", "{\"action\":").status());
    assertEquals(
        400, post(key, "/mgmt/requests", "{\"action\":\"device/reboot\",\"devices\":[]}").status());
    assertEquals(
        400,
        post(
                key,
                "/mgmt/requests",
                "{\"action\":\"firmware/download\",\"devices\":[" + target(device) + "]}")
            .status());
    assertEquals(
        400,
        post(
                key,
                "/mgmt/requests",
                "{\"action\":\"device/reboot\",\"devices\":[" + target(foreign) + "]}")
            .status());
    assertEquals(
        401,
        node.request("POST", "/api/v0002/mgmt/requests")
            .organization(key.org())
            .json("{\"action\":\"device/reboot\",\"devices\":[" + target(device) + "]}")
            .send()
            .status());
    assertEquals(0, get(key, "/mgmt/requests").json().path("results").size());

    String mine =
        initiate(key, "{\"action\":\"device/reboot\",\"devices\":[" + target(device) + "]}");
    assertEquals(404, get(other, "/mgmt/requests/" + mine).status());
    assertEquals(404, delete(other, "/mgmt/requests/" + mine).status());
    assertEquals(0, get(other, "/mgmt/requests").json().path("results").size());
    assertEquals(200, get(key, "/mgmt/requests/" + mine).status());
    assertEquals(404, get(other, devicePath(device) + "/diag/logs").status());
    assertEquals(404, get(key, devicePath(device) + "/mgmt").status()); // never managed
  }

  // ---- the device ----

  private static Inbox managedDevice(Device device) throws Exception {
    Inbox agent = Paho.deviceInbox(node.mqttUri(), device, true).subscribe("iotdm-1/#", 1);
    publish(agent, "iotdevice-1/mgmt/manage", manageRequest("manage"));
    assertEquals(200, response(agent, "manage").path("rc").asInt());
    return agent;
  }

  private static String manageRequest(String reqId) {
    return "{\"d\":{\"lifetime\":3600,\"supports\":{\"deviceActions\":true,\"firmwareActions\":true},"
        + "\"deviceInfo\":{\"fwVersion\":\"1.0\"}},\"reqId\":\""
        + reqId
        + "\"}";
  }

  private static void publish(Inbox agent, String topic, String payload) throws Exception {
    agent.client.publish(topic, Paho.message(payload, 1));
  }

  private static void respond(Inbox agent, String reqId, int rc) throws Exception {
    publish(agent, "iotdevice-1/response", "{\"rc\":" + rc + ",\"reqId\":\"" + reqId + "\"}");
  }

  private static void notifyFirmware(Inbox agent, String value) throws Exception {
    publish(
        agent,
        "iotdevice-1/notify",
        "{\"d\":{\"fields\":[{\"field\":\"mgmt.firmware\",\"value\":" + value + "}]}}");
  }

  private static JsonNode expect(Inbox agent, String topic) throws Exception {
    Received received = agent.next(WAIT, message -> message.topic().equals(topic));
    return JSON.readTree(received.payload());
  }

  private static JsonNode response(Inbox agent, String reqId) throws Exception {
    return responseOn(agent, "iotdm-1/response", reqId);
  }

  private static JsonNode responseOn(Inbox agent, String topic, String reqId) throws Exception {
    Received received =
        agent.next(
            WAIT, message -> message.topic().equals(topic) && message.payload().contains(reqId));
    return JSON.readTree(received.payload());
  }

  // ---- the application ----

  private static String initiate(ApiKey key, String body) {
    TestNode.Response response = post(key, "/mgmt/requests", body);
    assertEquals(202, response.status(), response.body());
    return response.json().path("reqId").asText();
  }

  private static JsonNode awaitComplete(ApiKey key, String requestId) {
    return awaitComplete(key, requestId, WAIT);
  }

  private static JsonNode awaitComplete(ApiKey key, String requestId, Duration wait) {
    return awaitValue(
        wait,
        () -> get(key, "/mgmt/requests/" + requestId).json(),
        request -> request.path("complete").asBoolean());
  }

  /** A new reboot request for {@code device} reaches it: the device is free for requests. */
  private static void assertARebootReaches(ApiKey key, Device device, Inbox agent)
      throws Exception {
    String reboot =
        initiate(key, "{\"action\":\"device/reboot\",\"devices\":[" + target(device) + "]}");
    assertEquals(
        reboot, expect(agent, "iotdm-1/mgmt/initiate/device/reboot").path("reqId").asText());
  }

  /** Waits for the request to end after its timeout; its one device timed out (rc 408). */
  private static void awaitTimedOut(ApiKey key, String requestId) {
    JsonNode request = awaitComplete(key, requestId, REQUEST_TIMEOUT.plus(WAIT));
    assertEquals(2, request.path("status").asInt(), request.toString());
    JsonNode status =
        get(key, "/mgmt/requests/" + requestId + "/deviceStatus").json().path("results").get(0);
    assertEquals(408, status.path("rc").asInt(), status.toString());
    assertEquals(2, status.path("status").asInt(), status.toString());
    assertTrue(status.path("message").asText().contains("Timed out"), status.toString());
  }

  private static String listedLast(ApiKey key) {
    JsonNode results = get(key, "/mgmt/requests").json().path("results");
    return results.get(results.size() - 1).path("id").asText();
  }

  private static String target(Device device) {
    return "{\"typeId\":\"" + device.type() + "\",\"deviceId\":\"" + device.id() + "\"}";
  }

  private static String devicePath(Device device) {
    return "/device/types/" + device.type() + "/devices/" + device.id();
  }

  private static TestNode.Response post(ApiKey key, String path, String body) {
    return fixtures.v0002(key, "POST", path, body);
  }

  private static TestNode.Response get(ApiKey key, String path) {
    return fixtures.v0002(key, "GET", path, null);
  }

  private static TestNode.Response delete(ApiKey key, String path) {
    return fixtures.v0002(key, "DELETE", path, null);
  }
}

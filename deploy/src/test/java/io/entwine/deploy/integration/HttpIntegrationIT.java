package io.entwine.deploy.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ThingsBoard HTTP integration on a real node and Cassandra, driven with the curl commands of
 * the ThingsBoard HTTP integration guide (only the endpoint URL is Entwine's): devices appear with
 * their telemetry on the twin and in the historian, security headers, auto-creation off, shared
 * attributes and commands coming back in the next uplink's response, 204 versus 200, and converter
 * errors as 4xx.
 */
class HttpIntegrationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CATCH_UP = Duration.ofSeconds(120);

  /** The guide's uplink command, verbatim. */
  private static final String GUIDE_UPLINK =
      "curl -v -X POST -d"
          + " \"{\\\"deviceName\\\":\\\"$DEVICEname\\\",\\\"deviceType\\\":\\\"$DEVICEtype\\\","
          + "\\\"temperature\\\":33,\\\"model\\\":\\\"test\\\"}\" $YOUR_HTTP_ENDPOINT_URL -H"
          + " \"Content-Type:application/json\"";

  /** The guide's uplink command with the security header, verbatim. */
  private static final String GUIDE_UPLINK_WITH_HEADER = GUIDE_UPLINK + " -H \"$VALUE\"";

  /** A decoder as ThingsBoard users write them (the guide's JavaScript template). */
  private static final String DECODER =
      """
      // decode payload to string
      var payloadStr = decodeToString(payload);
      var data = JSON.parse(payloadStr);
      var result = {
         deviceName: data.deviceName,
         deviceType: data.deviceType,
         attributes: {
             model: data.model,
             integrationName: metadata['integrationName']
         },
         telemetry: {
             temperature: data.temperature
         }
      };
      function decodeToString(payload) {
         return String.fromCharCode.apply(String, payload);
      }
      return result;
      """;

  /** The guide's JavaScript downlink encoder. */
  private static final String ENCODER =
      """
      var result = {
          contentType: "JSON",
          data: JSON.stringify(msgType === 'ATTRIBUTES_UPDATED' ? msg : {rpc: msg.method, params: msg.params, id: metadata.requestId}),
          metadata: {
              topic: metadata['deviceType'] + '/' + metadata['deviceName'] + '/upload'
          }
      };
      return result;
      """;

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static final Fixtures fixtures = new Fixtures(node);
  private static ApiKey key;

  @BeforeAll
  static void organization() {
    key = fixtures.organizationWithApiKey();
  }

  record Curl(int status, String body, String trace) {}

  /** Runs a command of the guide in a shell with the guide's variables set. */
  private static Curl curl(String command, Map<String, String> variables) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", command);
    builder.environment().putAll(variables);
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "curl did not finish");
    String body = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String trace = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    Matcher status = Pattern.compile("< HTTP/[0-9.]+ (\\d{3})").matcher(trace);
    assertTrue(status.find(), trace);
    return new Curl(Integer.parseInt(status.group(1)), body, trace);
  }

  private static Curl uplink(JsonNode integration, String name, String type) throws Exception {
    return curl(
        GUIDE_UPLINK,
        Map.of(
            "DEVICEname", name,
            "DEVICEtype", type,
            "YOUR_HTTP_ENDPOINT_URL", integration.get("endpoint").asText()));
  }

  private static JsonNode createIntegration(ObjectNode extra) {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", "HTTP Integration");
    body.put("type", "HTTP");
    body.putObject("uplinkConverter").put("script", DECODER);
    body.setAll(extra);
    TestNode.Response created =
        node.request("POST", "/api/v0002/integrations")
            .basic(key.key(), key.token())
            .json(body.toString())
            .send();
    assertEquals(201, created.status(), created.body());
    JsonNode json = created.json();
    assertTrue(
        json.get("endpoint")
            .asText()
            .equals(
                node.baseUrl() + "/api/v1/integrations/http/" + json.get("routingKey").asText()),
        json.toString());
    return json;
  }

  private static TestNode.Response api(String method, String path, String json) {
    TestNode.RequestBuilder request =
        node.request(method, path).organization(key.org()).basic(key.key(), key.token());
    return json == null ? request.send() : request.json(json).send();
  }

  private static JsonNode device(String type, String id) {
    TestNode.Response response = api("GET", "/api/v0001/devices/" + type + "/" + id, null);
    assertEquals(200, response.status(), response.body());
    return response.json();
  }

  @Test
  void theGuidesCurlCreatesADeviceWithTelemetryOnTheTwinAndInTheHistorian() throws Exception {
    JsonNode integration = createIntegration(JSON.createObjectNode());

    Curl sent = uplink(integration, "SN-001", "thermostat");

    assertEquals(204, sent.status(), sent.trace());
    JsonNode device = device("thermostat", "SN-001");
    assertEquals("integration", device.at("/registration/auth/type").asText());
    TestNode.Response events =
        api("GET", "/api/v0002/device/types/thermostat/devices/SN-001/events/telemetry", null);
    assertEquals(200, events.status(), events.body());
    JsonNode telemetry =
        JSON.readTree(java.util.Base64.getDecoder().decode(events.json().get("payload").asText()));
    assertEquals(33, telemetry.at("/d/temperature").asInt(), telemetry.toString());
    TestNode.Response attributes =
        api("GET", "/api/v0002/device/types/thermostat/devices/SN-001/events/attributes", null);
    assertEquals(200, attributes.status(), attributes.body());

    JsonNode max =
        TestNode.awaitValue(
            CATCH_UP,
            () -> {
              TestNode.Response summary =
                  api(
                      "GET",
                      "/api/v0001/historian/thermostat/SN-001?evt_type=telemetry"
                          + "&summarize=%7Btemperature%7D&summarize_type=max",
                      null);
              return summary.status() == 200 ? summary.json().at("/evt/temperature") : null;
            },
            value -> value != null && !value.isMissingNode() && !value.isNull());
    assertEquals(33.0, max.asDouble());
  }

  @Test
  void securityHeadersAreRequiredAndChecked() throws Exception {
    ObjectNode extra = JSON.createObjectNode();
    extra.putObject("securityHeaders").put("test-header", "secret");
    extra.put("replaceNoContentWithOk", true);
    JsonNode integration = createIntegration(extra);
    String url = integration.get("endpoint").asText();
    assertEquals("********", integration.at("/securityHeaders/test-header").asText());

    Curl without = uplink(integration, "guarded-1", "thermostat");
    Curl wrong =
        curl(
            GUIDE_UPLINK_WITH_HEADER,
            Map.of(
                "DEVICEname", "guarded-1",
                "DEVICEtype", "thermostat",
                "YOUR_HTTP_ENDPOINT_URL", url,
                "VALUE", "test-header:guess"));
    Curl right =
        curl(
            GUIDE_UPLINK_WITH_HEADER,
            Map.of(
                "DEVICEname", "guarded-1",
                "DEVICEtype", "thermostat",
                "YOUR_HTTP_ENDPOINT_URL", url,
                "VALUE", "test-header:secret"));

    assertEquals(401, without.status(), without.body());
    assertEquals(403, wrong.status(), wrong.body());
    assertEquals(200, right.status(), right.trace());
    assertEquals("", right.body());
    device("thermostat", "guarded-1");
  }

  @Test
  void unknownDevicesAreRefusedWhenAutoCreationIsOff() throws Exception {
    ObjectNode extra = JSON.createObjectNode();
    extra.put("allowCreateDevices", false);
    JsonNode integration = createIntegration(extra);

    Curl refused = uplink(integration, "stranger", "thermostat");

    assertEquals(404, refused.status(), refused.body());
    assertTrue(refused.body().contains("allowCreateDevices"), refused.body());
    assertEquals(404, api("GET", "/api/v0001/devices/thermostat/stranger", null).status());

    fixtures.register(key, "thermostat", "known-1");
    assertEquals(204, uplink(integration, "known-1", "thermostat").status());
  }

  private static JsonNode integrationWithDownlinks(String encoder) {
    ObjectNode extra = JSON.createObjectNode();
    extra.putObject("downlinkConverter").put("script", encoder);
    return createIntegration(extra);
  }

  @Test
  void pendingAttributesAndCommandsComeBackInTheNextUplinksResponse() throws Exception {
    JsonNode integration = integrationWithDownlinks(ENCODER);
    assertEquals(204, uplink(integration, "SN-002", "thermostat").status());

    TestNode.Response set =
        api(
            "PUT",
            "/api/v0002/device/types/thermostat/devices/SN-002/attributes",
            "{\"firmware\":\"01052020.v1.1\"}");
    assertEquals(200, set.status(), set.body());
    assertEquals(
        "01052020.v1.1", device("thermostat", "SN-002").at("/attributes/firmware").asText());

    Curl withAttributes = uplink(integration, "SN-002", "thermostat");
    assertEquals(200, withAttributes.status(), withAttributes.trace());
    assertTrue(
        withAttributes.trace().toLowerCase().contains("content-type: application/json"),
        withAttributes.trace());
    assertEquals(
        JSON.readTree("{\"firmware\":\"01052020.v1.1\"}"), JSON.readTree(withAttributes.body()));
    assertEquals(204, uplink(integration, "SN-002", "thermostat").status());

    TestNode.Response queued =
        api(
            "POST",
            "/api/v0002/application/types/thermostat/devices/SN-002/commands/reboot",
            "{\"delay\":5}");
    assertEquals(202, queued.status(), queued.body());
    String commandId = queued.json().get("commandId").asText();

    Curl withCommand = uplink(integration, "SN-002", "thermostat");
    assertEquals(200, withCommand.status(), withCommand.trace());
    JsonNode rpc = JSON.readTree(withCommand.body());
    assertEquals("reboot", rpc.get("rpc").asText());
    assertEquals(5, rpc.at("/params/delay").asInt());
    assertEquals(commandId, rpc.get("id").asText());
    TestNode.Response commands =
        api("GET", "/api/v0002/application/types/thermostat/devices/SN-002/commands", null);
    assertTrue(commands.body().contains("\"delivered\""), commands.body());
    assertEquals(204, uplink(integration, "SN-002", "thermostat").status());
  }

  /** An encoder that shows what it was given for an attribute update. */
  private static final String STATE_ENCODER =
      """
      return {contentType: "JSON",
              data: JSON.stringify({msgType: msgType, msg: msg, stateVersion: metadata.stateVersion})};
      """;

  @Test
  void theDesiredStatesDeltaComesBackAsAnAttributeUpdateOncePerVersion() throws Exception {
    JsonNode integration = integrationWithDownlinks(STATE_ENCODER);
    assertEquals(204, uplink(integration, "SN-010", "valve").status());
    String desired = "/api/v0002/device/types/valve/devices/SN-010/state/desired";

    TestNode.Response patched = api("PATCH", desired, "{\"interval\":15}");
    assertEquals(200, patched.status(), patched.body());

    Curl withDelta = uplink(integration, "SN-010", "valve");
    assertEquals(200, withDelta.status(), withDelta.trace());
    assertEquals(
        JSON.readTree(
            "{\"msgType\":\"ATTRIBUTES_UPDATED\",\"msg\":{\"interval\":15},\"stateVersion\":\"1\"}"),
        JSON.readTree(withDelta.body()));
    assertEquals(
        204, uplink(integration, "SN-010", "valve").status(), "each version is handed once");

    TestNode.Response again = api("PATCH", desired, "{\"mode\":\"eco\"}");
    assertEquals(200, again.status(), again.body());
    Curl withNewDelta = uplink(integration, "SN-010", "valve");
    assertEquals(200, withNewDelta.status(), withNewDelta.trace());
    JsonNode downlink = JSON.readTree(withNewDelta.body());
    assertEquals(JSON.readTree("{\"interval\":15,\"mode\":\"eco\"}"), downlink.get("msg"));
    assertEquals("2", downlink.get("stateVersion").asText());
  }

  @Test
  void converterErrorsAre4xxAndKeptInTheDebugEvents() throws Exception {
    ObjectNode extra = JSON.createObjectNode();
    extra.put("debug", true);
    JsonNode integration = createIntegration(extra);
    String url = integration.get("endpoint").asText();

    Curl malformed =
        curl(
            "curl -v -X POST -d '{\"deviceName\": ' $URL -H 'Content-Type:application/json'",
            Map.of("URL", url));
    assertEquals(400, malformed.status(), malformed.body());
    assertTrue(malformed.body().contains("SyntaxError"), malformed.body());

    Curl unnamed = curl("curl -v -X POST -d '{\"temperature\": 1}' $URL", Map.of("URL", url));
    assertEquals(400, unnamed.status(), unnamed.body());
    assertTrue(unnamed.body().contains("deviceName"), unnamed.body());

    JsonNode events =
        TestNode.awaitValue(
            Duration.ofSeconds(20),
            () ->
                api(
                        "GET",
                        "/api/v0002/integrations/" + integration.get("id").asText() + "/events",
                        null)
                    .json()
                    .get("events"),
            list -> list.size() == 2);
    assertEquals("uplink", events.get(0).get("converter").asText());
    assertEquals("{\"deviceName\": ", events.get(0).get("in").asText());
    assertTrue(events.get(0).get("error").asText().contains("SyntaxError"), events.toString());

    TestNode.Response rejected =
        api(
            "POST",
            "/api/v0002/integrations",
            "{\"name\":\"broken\",\"uplinkConverter\":{\"script\":\"var a = ;\"}}");
    assertEquals(400, rejected.status(), rejected.body());
    assertTrue(rejected.body().contains("SyntaxError"), rejected.body());
  }

  @Test
  void managesIntegrationsThroughTheApi() throws Exception {
    JsonNode integration = createIntegration(JSON.createObjectNode());
    String path = "/api/v0002/integrations/" + integration.get("id").asText();

    TestNode.Response listed = api("GET", "/api/v0002/integrations", null);
    assertEquals(200, listed.status(), listed.body());
    assertTrue(listed.body().contains(integration.get("routingKey").asText()), listed.body());

    ObjectNode changed = JSON.createObjectNode();
    changed.put("name", "Renamed");
    changed.putObject("uplinkConverter").put("script", DECODER);
    changed.put("replaceNoContentWithOk", true);
    TestNode.Response updated = api("PUT", path, changed.toString());
    assertEquals(200, updated.status(), updated.body());
    assertEquals("Renamed", api("GET", path, null).json().get("name").asText());
    assertEquals(200, uplink(integration, "SN-003", "thermostat").status());

    assertEquals(204, api("DELETE", path, null).status());
    assertEquals(404, api("GET", path, null).status());
    assertEquals(404, uplink(integration, "SN-003", "thermostat").status());

    ApiKey other = fixtures.organizationWithApiKey();
    TestNode.Response foreign =
        node.request("GET", "/api/v0002/integrations/" + integration.get("id").asText())
            .basic(other.key(), other.token())
            .send();
    assertEquals(404, foreign.status());
  }

  @Test
  void refusesOversizeBodiesAndUnknownRoutingKeys() throws Exception {
    JsonNode integration = createIntegration(JSON.createObjectNode());
    byte[] big = new byte[200_000];
    java.util.Arrays.fill(big, (byte) 'x');
    TestNode.Response oversize =
        node.request("POST", "/api/v1/integrations/http/" + integration.get("routingKey").asText())
            .body("application/json", big)
            .send();
    assertEquals(413, oversize.status(), oversize.body());

    TestNode.Response unknown =
        node.request("POST", "/api/v1/integrations/http/no-such-key")
            .json("{\"deviceName\":\"x\"}")
            .send();
    assertEquals(404, unknown.status(), unknown.body());
    assertFalse(unknown.body().isEmpty());
  }
}

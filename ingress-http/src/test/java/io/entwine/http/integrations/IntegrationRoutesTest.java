package io.entwine.http.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.http.common.Json;
import io.entwine.identity.DeviceKey;
import io.entwine.twin.TwinEvent;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Integrations through the API, and senders' messages through the converters onto the twins. */
class IntegrationRoutesTest extends ApiRouteTest {
  private static final String INTEGRATIONS = "/api/v0002/integrations";
  private static final String DECODER =
      "var d = decodeToJson(payload); return {deviceName: d.deviceName, deviceType: d.deviceType,"
          + " telemetry: {temperature: d.temperature}};";
  private static final String ENCODER = "return {contentType: 'JSON', data: JSON.stringify(msg)};";

  private ApiKey key;

  IntegrationRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @BeforeEach
  void organization() {
    key = organizationWithApiKey("integ");
  }

  private ObjectNode spec(String decoder) {
    ObjectNode spec = Json.MAPPER.createObjectNode();
    spec.put("name", "HTTP Integration");
    spec.put("type", "HTTP");
    spec.putObject("uplinkConverter").put("script", decoder);
    return spec;
  }

  private TestRouteResult create(ObjectNode spec) {
    return api.run(withApiKey(key, withJson(HttpRequest.POST(INTEGRATIONS), spec.toString())));
  }

  private JsonNode created(ObjectNode spec) {
    TestRouteResult created = create(spec);
    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    return body(created);
  }

  private TestRouteResult send(JsonNode integration, String body) {
    return api.run(
        withJson(
            HttpRequest.POST("/api/v1/integrations/http/" + integration.get("routingKey").asText()),
            body));
  }

  private static String uplink(String name) {
    return "{\"deviceName\":\"" + name + "\",\"deviceType\":\"thermostat\",\"temperature\":33}";
  }

  @Test
  void createsWith201AndShowsTheEndpointWithMaskedHeaders() {
    ObjectNode spec = spec(DECODER);
    spec.putObject("securityHeaders").put("X-Secret", "s3cret");
    TestRouteResult created = create(spec);

    assertEquals(StatusCodes.CREATED, created.status(), created.entityString());
    JsonNode body = body(created);
    String id = body.get("id").asText();
    assertEquals(INTEGRATIONS + "/" + id, created.response().getHeader("Location").get().value());
    assertTrue(
        body.get("endpoint")
            .asText()
            .endsWith("/api/v1/integrations/http/" + body.get("routingKey").asText()),
        body.toString());
    assertEquals("********", body.at("/securityHeaders/x-secret").asText());
    assertFalse(body.toString().contains("s3cret"));
    assertTrue(body.get("allowCreateDevices").asBoolean());
    assertFalse(body.get("debug").asBoolean());
  }

  @Test
  void refusesABodyThatIsNotAnIntegrationWith400() {
    assertError(create(spec(DECODER).put("name", "")), StatusCodes.BAD_REQUEST, "'name'");
    assertError(create(spec(DECODER).put("type", "MQTT")), StatusCodes.BAD_REQUEST, "'type'");
    assertError(create(spec("var a = ;")), StatusCodes.BAD_REQUEST, "SyntaxError");
    ObjectNode noConverter = spec(DECODER);
    noConverter.remove("uplinkConverter");
    assertError(create(noConverter), StatusCodes.BAD_REQUEST, "'uplinkConverter'");
    assertError(create(spec(DECODER).put("debug", "yes")), StatusCodes.BAD_REQUEST, "'debug'");
    ObjectNode badHeaders = spec(DECODER);
    badHeaders.putObject("securityHeaders").put("bad name", "x");
    assertError(create(badHeaders), StatusCodes.BAD_REQUEST, "'securityHeaders'");
    assertEquals(
        "[]",
        body(api.run(withApiKey(key, HttpRequest.GET(INTEGRATIONS)))).get("results").toString());
  }

  @Test
  void listsUpdatesAndDeletesWithinTheOrganizationOnly() {
    JsonNode integration = created(spec(DECODER));
    String path = INTEGRATIONS + "/" + integration.get("id").asText();

    JsonNode listed = body(api.run(withApiKey(key, HttpRequest.GET(INTEGRATIONS))));
    assertEquals(1, listed.get("results").size());
    ApiKey other = organizationWithApiKey("other");
    assertEquals(StatusCodes.NOT_FOUND, api.run(withApiKey(other, HttpRequest.GET(path))).status());
    assertEquals(
        StatusCodes.NOT_FOUND, api.run(withApiKey(other, HttpRequest.DELETE(path))).status());

    TestRouteResult updated =
        api.run(
            withApiKey(
                key, withJson(HttpRequest.PUT(path), spec(DECODER).put("name", "New").toString())));
    assertEquals(StatusCodes.OK, updated.status(), updated.entityString());
    assertEquals("New", body(updated).get("name").asText());
    assertEquals(integration.get("routingKey"), body(updated).get("routingKey"));

    assertEquals(
        StatusCodes.NO_CONTENT, api.run(withApiKey(key, HttpRequest.DELETE(path))).status());
    assertEquals(StatusCodes.NOT_FOUND, api.run(withApiKey(key, HttpRequest.GET(path))).status());
    assertError(send(integration, uplink("gone")), StatusCodes.NOT_FOUND, "routing key");
  }

  @Test
  void recordsTelemetryOnACreatedDeviceAndAnswers204() {
    JsonNode integration = created(spec(DECODER));

    TestRouteResult sent = send(integration, uplink("SN-1"));

    assertEquals(StatusCodes.NO_CONTENT, sent.status(), sent.entityString());
    List<Object> events = cluster.twinEvents(new DeviceKey(key.org(), "thermostat", "SN-1"));
    assertTrue(events.get(0) instanceof TwinEvent.DeviceRegistered, events.toString());
    TwinEvent.EventRecorded recorded = (TwinEvent.EventRecorded) events.get(events.size() - 1);
    assertEquals("telemetry", recorded.eventId());
    assertEquals(
        "{\"d\":{\"temperature\":33}}",
        new String(recorded.payload(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void answers200InsteadOf204WhenAsked() {
    JsonNode integration = created(spec(DECODER).put("replaceNoContentWithOk", true));

    TestRouteResult sent = send(integration, uplink("SN-2"));

    assertEquals(StatusCodes.OK, sent.status());
    assertEquals("", sent.entityString());
  }

  @Test
  void refusesUnknownDevicesWhenAutoCreationIsOffAndRecordsNothing() {
    JsonNode integration = created(spec(DECODER).put("allowCreateDevices", false));

    TestRouteResult refused = send(integration, uplink("SN-3"));

    JsonNode body = assertError(refused, StatusCodes.NOT_FOUND, "allowCreateDevices");
    assertEquals("SN-3", body.at("/devices/0/deviceName").asText());
    assertTrue(cluster.twinEvents(new DeviceKey(key.org(), "thermostat", "SN-3")).isEmpty());
  }

  @Test
  void checksSecurityHeaders() {
    ObjectNode spec = spec(DECODER);
    spec.putObject("securityHeaders").put("test-header", "secret");
    JsonNode integration = created(spec);
    HttpRequest request =
        withJson(
            HttpRequest.POST("/api/v1/integrations/http/" + integration.get("routingKey").asText()),
            uplink("SN-4"));

    assertError(api.run(request), StatusCodes.UNAUTHORIZED, "test-header");
    assertError(
        api.run(request.addHeader(RawHeader.create("Test-Header", "guess"))),
        StatusCodes.FORBIDDEN,
        "test-header");
    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(request.addHeader(RawHeader.create("test-header", "secret"))).status());
  }

  @Test
  void reportsConverterFailuresAs400WithTheirKind() {
    JsonNode throwing = created(spec("throw new Error('no ' + metadata['Header:x-reason']);"));
    TestRouteResult thrown =
        api.run(
            withJson(
                    HttpRequest.POST(
                        "/api/v1/integrations/http/" + throwing.get("routingKey").asText()),
                    "{}")
                .addHeader(RawHeader.create("X-Reason", "temperature")));
    JsonNode body = assertError(thrown, StatusCodes.BAD_REQUEST, "Error: no temperature");
    assertEquals("THREW", body.get("error").asText());

    JsonNode looping = created(spec("while (true) {}"));
    assertEquals(
        "TIMEOUT",
        assertError(send(looping, "{}"), StatusCodes.BAD_REQUEST, "ran longer")
            .get("error")
            .asText());

    JsonNode template = created(spec(DECODER));
    assertEquals(
        "THREW",
        assertError(send(template, "{not json"), StatusCodes.BAD_REQUEST, "SyntaxError")
            .get("error")
            .asText());
    assertEquals(
        "WRONG_SHAPE",
        assertError(
                send(template, "{\"deviceName\":\"has space\"}"),
                StatusCodes.BAD_REQUEST,
                "deviceName")
            .get("error")
            .asText());
  }

  @Test
  void countsMessagesAgainstTheOrganizationsLimits() {
    JsonNode integration = created(spec(DECODER));
    TestRouteResult limited =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.PUT(ORGANIZATIONS + "/" + key.org() + "/limits"),
                    "{\"messages-per-period\":1,\"period-seconds\":3600,\"max-payload-bytes\":100}")));
    assertEquals(StatusCodes.OK, limited.status(), limited.entityString());

    assertError(
        send(integration, "{\"deviceName\":\"" + "x".repeat(100) + "\"}"),
        StatusCodes.PAYLOAD_TOO_LARGE,
        "limit");
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("SN-7")).status());
    assertError(send(integration, uplink("SN-7")), StatusCodes.TOO_MANY_REQUESTS, "limit");
  }

  @Test
  void refusesAResultOfAThousandDevicesAt400BeforeCreatingAny() {
    // Built by the engine's own functions, so that a loaded host cannot turn it into a TIMEOUT.
    JsonNode integration =
        created(
            spec(
                "return JSON.parse('[' + new Array(1000).fill('{\"deviceName\":\"many\"}')"
                    + ".join(',') + ']');"));

    JsonNode body = assertError(send(integration, "{}"), StatusCodes.BAD_REQUEST, "1000 devices");
    assertTrue(body.get("message").asText().contains("at most 100 devices"), body.toString());
    assertEquals("TOO_LARGE", body.get("error").asText(), body.toString());
    assertTrue(cluster.twinEvents(new DeviceKey(key.org(), "default", "many")).isEmpty());
  }

  @Test
  void theOrganizationsDeviceQuotaRefusesTheNextDeviceOverEveryApi() {
    setLimits(key.org(), "{\"max-devices\":3}");
    JsonNode limits =
        body(api.run(asOperator(HttpRequest.GET(ORGANIZATIONS + "/" + key.org() + "/limits"))));
    assertEquals(3, limits.get("max-devices").asLong(), limits.toString());
    JsonNode integration = created(spec(DECODER));
    registerDevice(key, "thermostat", "Q-1");
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("Q-2")).status());

    // One place left: a message naming two new devices creates neither.
    String two =
        "var d = decodeToJson(payload); return [{deviceName: d.a, deviceType: 'thermostat'},"
            + " {deviceName: 'Q-1', deviceType: 'thermostat', telemetry: {t: 1}},"
            + " {deviceName: d.b, deviceType: 'thermostat'}];";
    JsonNode pair = created(spec(two));
    JsonNode refused =
        assertError(
            send(pair, "{\"a\":\"Q-3\",\"b\":\"Q-4\"}"), StatusCodes.FORBIDDEN, "at most 3");
    assertEquals(2, refused.get("devices").size(), refused.toString());
    assertNothingOf("Q-3");
    assertNothingOf("Q-4");
    int eventsOfQ1 = cluster.twinEvents(new DeviceKey(key.org(), "thermostat", "Q-1")).size();

    // The third and last place, then the fourth device, over each API.
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("Q-3")).status());
    assertError(send(integration, uplink("Q-5")), StatusCodes.FORBIDDEN, "at most 3 devices");
    assertNothingOf("Q-5");
    assertError(
        api.run(
            withApiKey(
                key,
                withJson(HttpRequest.POST(DEVICES), "{\"type\":\"thermostat\",\"id\":\"Q-6\"}"))),
        StatusCodes.FORBIDDEN,
        "at most 3 devices");
    assertNothingOf("Q-6");
    assertEquals(
        eventsOfQ1, cluster.twinEvents(new DeviceKey(key.org(), "thermostat", "Q-1")).size());

    // Known devices still send; a deletion frees a place.
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("Q-2")).status());
    assertEquals(
        StatusCodes.NO_CONTENT,
        api.run(withApiKey(key, HttpRequest.DELETE(DEVICES + "/thermostat/Q-1"))).status());
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("Q-5")).status());
  }

  private void assertNothingOf(String id) {
    assertTrue(
        cluster.twinEvents(new DeviceKey(key.org(), "thermostat", id)).isEmpty(),
        id + " was registered or recorded");
  }

  @Test
  void refusesOversizeBodiesAndUnknownRoutingKeys() {
    JsonNode integration = created(spec(DECODER));
    String big = "x".repeat(MAX_PAYLOAD_BYTES + 1);
    assertEquals(StatusCodes.PAYLOAD_TOO_LARGE, send(integration, big).status());
    assertError(
        api.run(withJson(HttpRequest.POST("/api/v1/integrations/http/nope"), "{}")),
        StatusCodes.NOT_FOUND,
        "routing key");
    assertError(
        api.run(withJson(HttpRequest.POST("/api/v1/integrations/http/no%20pe"), "{}")),
        StatusCodes.NOT_FOUND,
        "routing key");
  }

  @Test
  void returnsAPendingAttributeChangeInTheNextResponseOnce() {
    ObjectNode spec = spec(DECODER);
    spec.putObject("downlinkConverter").put("script", ENCODER);
    JsonNode integration = created(spec);
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("SN-5")).status());
    String attributes = "/api/v0002/device/types/thermostat/devices/SN-5/attributes";

    TestRouteResult set =
        api.run(withApiKey(key, withJson(HttpRequest.PUT(attributes), "{\"firmware\":\"v2\"}")));
    assertEquals(StatusCodes.OK, set.status(), set.entityString());
    assertEquals(
        "{\"firmware\":\"v2\"}",
        body(api.run(withApiKey(key, HttpRequest.GET(attributes)))).toString());

    TestRouteResult withDownlink = send(integration, uplink("SN-5"));
    assertEquals(StatusCodes.OK, withDownlink.status());
    assertEquals(
        ContentTypes.APPLICATION_JSON.toString(),
        withDownlink.response().entity().getContentType().toString());
    assertEquals("{\"firmware\":\"v2\"}", withDownlink.entityString());
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("SN-5")).status());
  }

  @Test
  void aFailingEncoderLeavesTheChangePendingAndShowsInTheDebugEvents() throws Exception {
    ObjectNode spec = spec(DECODER).put("debug", true);
    spec.putObject("downlinkConverter")
        .put("script", "throw new Error('cannot encode ' + msgType);");
    JsonNode integration = created(spec);
    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("SN-8")).status());
    String attributes = "/api/v0002/device/types/thermostat/devices/SN-8/attributes";
    api.run(withApiKey(key, withJson(HttpRequest.PUT(attributes), "{\"firmware\":\"v3\"}")));

    assertEquals(StatusCodes.NO_CONTENT, send(integration, uplink("SN-8")).status());

    String events = INTEGRATIONS + "/" + integration.get("id").asText() + "/events";
    JsonNode downlink = null;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (downlink == null) {
      for (JsonNode event : body(api.run(withApiKey(key, HttpRequest.GET(events)))).get("events")) {
        if (event.get("converter").asText().equals("downlink")) {
          downlink = event;
        }
      }
      assertTrue(System.nanoTime() < deadline, "no downlink debug event");
    }
    assertEquals(
        "Error: cannot encode ATTRIBUTES_UPDATED (line 1)", downlink.get("error").asText());
    assertEquals("{\"firmware\":\"v3\"}", downlink.get("in").asText());
    List<Object> twin = cluster.twinEvents(new DeviceKey(key.org(), "thermostat", "SN-8"));
    assertFalse(
        twin.stream().anyMatch(TwinEvent.AttributesDelivered.class::isInstance),
        "the change stays pending");
  }

  @Test
  void refusesAttributesThatAreNotAnObjectOrOfAnUnknownDevice() {
    registerDevice(key, "thermostat", "SN-6");
    String path = "/api/v0002/device/types/thermostat/devices/SN-6/attributes";
    assertError(
        api.run(withApiKey(key, withJson(HttpRequest.PUT(path), "[1]"))),
        StatusCodes.BAD_REQUEST,
        "object");
    assertError(
        api.run(
            withApiKey(
                key,
                withJson(
                    HttpRequest.PUT("/api/v0002/device/types/thermostat/devices/ghost/attributes"),
                    "{}"))),
        StatusCodes.NOT_FOUND,
        "not registered");
    assertEquals(StatusCodes.UNAUTHORIZED, api.run(withJson(HttpRequest.PUT(path), "{}")).status());
  }
}

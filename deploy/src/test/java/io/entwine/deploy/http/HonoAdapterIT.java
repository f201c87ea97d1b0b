package io.entwine.deploy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.deploy.testing.Fixtures;
import io.entwine.deploy.testing.Fixtures.ApiKey;
import io.entwine.deploy.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Eclipse Hono HTTP adapter over real HTTP and a real Cassandra: every curl example of the
 * Eclipse Hono 1.2 HTTP adapter user guide, sent as curl sends it (only host and port changed),
 * against the guide's deployment — tenant DEFAULT_TENANT, device 4711 with auth-id sensor1, gateway
 * gw-1 with auth-id gw acting for device 4712 — and the command round trip between an application
 * and a waiting device.
 */
class HonoAdapterIT {
  private static final String TENANT = "DEFAULT_TENANT";
  private static final String TEMP = "{\"temp\": 5}";
  private static final String COMMAND = "{\n  \"brightness\" : 87\n}";

  @RegisterExtension static final TestNode node = TestNode.perClass();
  private static ApiKey apiKey;
  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool();

  @BeforeAll
  static void userGuideDeployment() throws Exception {
    Fixtures fixtures = new Fixtures(node);
    TestNode.Response org =
        node.request("POST", "/api/v0002/admin/organizations")
            .operator()
            .json("{\"id\":\"default_tenant\",\"name\":\"Hono's default tenant\"}")
            .send();
    assertEquals(201, org.status(), org.body());
    apiKey = fixtures.apiKey("default_tenant");
    fixtures.register(apiKey, "sensor", "4711");
    fixtures.register(apiKey, "gateway", "gw-1");
    fixtures.register(apiKey, "sensor", "4712");
    addPassword("sensor", "4711", "sensor1", "hono-secret");
    addPassword("gateway", "gw-1", "gw", "gw-secret");
    TestNode.Response via =
        management("PUT", "/api/v0002/device/types/sensor/devices/4712/gateways")
            .json("{\"via\":[\"gw-1\"]}")
            .send();
    assertEquals(200, via.status(), via.body());
    // The guide's unauthenticated examples need a tenant that allows them; a short max-ttd keeps
    // the examples that wait for a command that never comes short.
    TestNode.Response adapter =
        node.request("PUT", "/api/v0002/admin/organizations/default_tenant/adapters/hono-http")
            .operator()
            .json("{\"enabled\":true,\"max-ttd\":2,\"allow-unauthenticated\":true}")
            .send();
    assertEquals(200, adapter.status(), adapter.body());
  }

  @AfterAll
  static void stopBackground() {
    BACKGROUND.shutdownNow();
  }

  // ---- the user guide's examples ----

  @Test
  void publishTelemetryExamplesOfTheUserGuide() {
    assertAccepted(honoPost("/telemetry", "sensor1", "hono-secret", TEMP).send());
    assertAccepted(
        honoPost("/telemetry", "sensor1", "hono-secret", TEMP).header("qos-level", "1").send());
    assertAccepted(
        honoPost("/telemetry", "sensor1", "hono-secret", TEMP).header("hono-ttd", "60").send());
    assertAccepted(honoPost("/telemetry?hono-ttd=60", "sensor1", "hono-secret", TEMP).send());

    assertAccepted(honoPut("/telemetry/DEFAULT_TENANT/4711", TEMP).send());
    assertAccepted(honoPut("/telemetry/DEFAULT_TENANT/4711", TEMP).header("qos-level", "1").send());
    assertAccepted(
        honoPut("/telemetry/DEFAULT_TENANT/4712", TEMP).basic("gw@" + TENANT, "gw-secret").send());
    assertAccepted(
        honoPut("/telemetry/DEFAULT_TENANT/4712", TEMP)
            .basic("gw@" + TENANT, "gw-secret")
            .header("qos-level", "1")
            .send());
    assertLastEvent("sensor", "4712", "telemetry", TEMP);
  }

  @Test
  void publishEventExamplesOfTheUserGuide() {
    assertAccepted(honoPost("/event", "sensor1", "hono-secret", "{\"alarm\": true}").send());
    assertLastEvent("sensor", "4711", "event", "{\"alarm\": true}");
    assertAccepted(honoPut("/event/DEFAULT_TENANT/4711", "{\"alarm\": true}").send());
    assertAccepted(
        honoPut("/event/DEFAULT_TENANT/4712", TEMP).basic("gw@" + TENANT, "gw-secret").send());
    assertLastEvent("sensor", "4712", "event", TEMP);
  }

  @Test
  void commandExamplesOfTheUserGuideWithTheirResponses() throws Exception {
    // authenticated device, then its response to an application waiting for it
    exampleWithCommand(
        "4711",
        () -> honoPost("/telemetry", "sensor1", "hono-secret", TEMP).header("hono-ttd", "10"),
        null,
        requestId ->
            node.request("POST", "/command/res/" + requestId + "?hono-cmd-status=200")
                .basic("sensor1@" + TENANT, "hono-secret")
                .body(
                    "application/json",
                    "{\"brightness-changed\": true}".getBytes(StandardCharsets.UTF_8)));
    // unauthenticated device
    exampleWithCommand(
        "4711",
        () -> honoPut("/telemetry/DEFAULT_TENANT/4711", TEMP).header("hono-ttd", "10"),
        null,
        requestId ->
            node.request(
                    "PUT", "/command/res/DEFAULT_TENANT/4711/" + requestId + "?hono-cmd-status=200")
                .body(
                    "application/json",
                    "{\"brightness-changed\": true}".getBytes(StandardCharsets.UTF_8)));
    // gateway for device 4712
    exampleWithCommand(
        "4712",
        () ->
            honoPut("/telemetry/DEFAULT_TENANT/4712", TEMP)
                .basic("gw@" + TENANT, "gw-secret")
                .header("hono-ttd", "10"),
        "4712",
        requestId ->
            node.request(
                    "PUT", "/command/res/DEFAULT_TENANT/4712/" + requestId + "?hono-cmd-status=200")
                .basic("gw@" + TENANT, "gw-secret")
                .body(
                    "application/json",
                    "{\"brightness-changed\": true}".getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The application sends command {@code set} with {@code ?timeout}; the device's request (the user
   * guide's example) gets it with 200 and the Hono headers; its response reaches the application.
   */
  private void exampleWithCommand(
      String deviceId,
      Supplier<TestNode.RequestBuilder> example,
      String expectedTarget,
      java.util.function.Function<String, TestNode.RequestBuilder> response)
      throws Exception {
    CompletableFuture<TestNode.Response> application =
        inBackground(
            () ->
                management(
                        "POST",
                        "/api/v0002/application/types/sensor/devices/"
                            + deviceId
                            + "/commands/set?timeout=20")
                    .json(COMMAND)
                    .send());
    TestNode.Response delivered = awaitCommand(example);

    assertEquals(200, delivered.status(), delivered.body());
    assertEquals("set", header(delivered, "hono-command").orElseThrow());
    String requestId = header(delivered, "hono-cmd-req-id").orElseThrow();
    assertEquals(Optional.ofNullable(expectedTarget), header(delivered, "hono-cmd-target-device"));
    assertEquals("application/json", header(delivered, "content-type").orElseThrow());
    assertEquals(COMMAND, delivered.body());

    TestNode.Response responded = response.apply(requestId).send();
    assertEquals(202, responded.status(), responded.body());
    TestNode.Response answer = application.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.status(), answer.body());
    assertEquals(200, answer.json().get("status").asInt());
    assertEquals(
        "{\"brightness-changed\": true}",
        new String(
            Base64.getDecoder().decode(answer.json().get("payload").asText()),
            StandardCharsets.UTF_8));
  }

  /** Polls as the device would (each request waits up to the tenant's max-ttd of 2 s). */
  private static TestNode.Response awaitCommand(Supplier<TestNode.RequestBuilder> example) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      TestNode.Response response = example.get().send();
      if (response.status() != 202 || System.nanoTime() > deadline) {
        return response;
      }
    }
  }

  // ---- the round trip, an expiry, a gateway's own wait ----

  @Test
  void commandSentWhileTheDeviceWaitsReachesItAndTheResponseReachesTheApplication()
      throws Exception {
    // a tenant whose devices may wait 30 s
    Fixtures fixtures = new Fixtures(node);
    ApiKey acme = fixtures.organizationWithApiKey();
    fixtures.register(acme, "lamp", "lamp-1");
    TestNode.Response added =
        node.request("POST", "/api/v0002/device/types/lamp/devices/lamp-1/credentials")
            .organization(acme.org())
            .basic(acme.key(), acme.token())
            .json("{\"type\":\"hashed-password\",\"auth-id\":\"lamp1\",\"secret\":\"lamp-secret\"}")
            .send();
    assertEquals(201, added.status(), added.body());
    TestNode.Response adapter =
        node.request("PUT", "/api/v0002/admin/organizations/" + acme.org() + "/adapters/hono-http")
            .operator()
            .json("{\"max-ttd\":30}")
            .send();
    assertEquals(200, adapter.status(), adapter.body());

    String reading = "{\"temp\": " + System.nanoTime() + "}";
    CompletableFuture<TestNode.Response> device =
        inBackground(
            () ->
                node.request("POST", "/telemetry")
                    .basic("lamp1@" + acme.org(), "lamp-secret")
                    .header("hono-ttd", "20")
                    .json(reading)
                    .send());
    // The device's reading is recorded before its request starts to wait for a command.
    TestNode.awaitValue(
        java.time.Duration.ofSeconds(10),
        () ->
            node.request("GET", "/api/v0002/device/types/lamp/devices/lamp-1/events/telemetry")
                .organization(acme.org())
                .basic(acme.key(), acme.token())
                .send(),
        last ->
            last.status() == 200
                && reading.equals(
                    new String(
                        Base64.getDecoder().decode(last.json().get("payload").asText()),
                        StandardCharsets.UTF_8)));
    CompletableFuture<TestNode.Response> application =
        inBackground(
            () ->
                node.request(
                        "POST",
                        "/api/v0002/application/types/lamp/devices/lamp-1/commands/set?timeout=20")
                    .organization(acme.org())
                    .basic(acme.key(), acme.token())
                    .json(COMMAND)
                    .send());

    TestNode.Response delivered = device.get(30, TimeUnit.SECONDS);
    assertEquals(200, delivered.status(), delivered.body());
    assertEquals("set", header(delivered, "hono-command").orElseThrow());
    String requestId = header(delivered, "hono-cmd-req-id").orElseThrow();
    assertEquals(COMMAND, delivered.body());
    TestNode.Response responded =
        node.request("POST", "/command/res/" + requestId)
            .basic("lamp1@" + acme.org(), "lamp-secret")
            .header("hono-cmd-status", "200")
            .json("{\"brightness-changed\": true}")
            .send();
    assertEquals(202, responded.status(), responded.body());

    TestNode.Response answer = application.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.status(), answer.body());
    assertEquals(requestId, answer.json().get("commandId").asText());
    assertEquals(200, answer.json().get("status").asInt());
    TestNode.Response listed =
        node.request("GET", "/api/v0002/application/types/lamp/devices/lamp-1/commands")
            .organization(acme.org())
            .basic(acme.key(), acme.token())
            .send();
    JsonNode command = find(listed.json(), requestId);
    assertEquals("responded", command.get("status").asText());
    assertEquals(200, command.get("response").get("status").asInt());
  }

  @Test
  void anExpiredCommandIsNeverDeliveredAndIsListedAsExpired() throws Exception {
    TestNode.Response sent =
        management("POST", "/api/v0002/application/types/sensor/devices/4712/commands/late?ttl=1")
            .json("{}")
            .send();
    assertEquals(202, sent.status(), sent.body());
    String commandId = sent.json().get("commandId").asText();

    JsonNode expired =
        TestNode.awaitValue(
            java.time.Duration.ofSeconds(10),
            () -> find(commands("4712"), commandId),
            c -> "expired".equals(c.get("status").asText()));
    assertEquals("late", expired.get("command").asText());
    TestNode.Response poll =
        honoPut("/telemetry/DEFAULT_TENANT/4712", TEMP).header("hono-ttd", "1").send();
    assertEquals(202, poll.status(), "no command: " + poll.body());
  }

  @Test
  void aGatewayWaitingOnItsOwnRequestGetsACommandForItsDevice() throws Exception {
    // Whether the command is queued before the gateway's request waits or while it waits, the
    // request gets it: the gateway asks its devices for waiting commands, and a device offers a
    // new command to its waiting gateway.
    CompletableFuture<TestNode.Response> gateway =
        inBackground(
            () -> honoPost("/event", "gw", "gw-secret", TEMP).header("hono-ttd", "2").send());
    TestNode.Response sent =
        management("POST", "/api/v0002/application/types/sensor/devices/4712/commands/blink")
            .json("{}")
            .send();
    assertEquals(202, sent.status(), sent.body());
    TestNode.Response first = gateway.get(30, TimeUnit.SECONDS);
    TestNode.Response delivered =
        first.status() == 200
            ? first
            : honoPost("/event", "gw", "gw-secret", TEMP).header("hono-ttd", "2").send();

    assertEquals(200, delivered.status(), delivered.body());
    assertEquals("blink", header(delivered, "hono-command").orElseThrow());
    assertEquals(
        sent.json().get("commandId").asText(), header(delivered, "hono-cmd-req-id").orElseThrow());
    assertEquals("4712", header(delivered, "hono-cmd-target-device").orElseThrow());
  }

  @Test
  void onlyTheReceiverOfACommandMayAnswerItAndARefusedAnswerChangesNothing() throws Exception {
    Fixtures fixtures = new Fixtures(node);
    fixtures.register(apiKey, "sensor", "4713");
    addPassword("sensor", "4713", "sensor3", "sensor3-secret");
    fixtures.register(apiKey, "sensor", "4716");
    TestNode.Response via =
        management("PUT", "/api/v0002/device/types/sensor/devices/4716/gateways")
            .json("{\"via\":[\"gw-1\"]}")
            .send();
    assertEquals(200, via.status(), via.body());

    // queued, not yet delivered: the device has not received it, so it may not answer it
    CompletableFuture<TestNode.Response> application =
        inBackground(
            () ->
                management("POST", "/api/v0002/application/types/sensor/devices/4713/commands/set")
                    .json(COMMAND)
                    .send());
    TestNode.Response sent = application.get(30, TimeUnit.SECONDS);
    assertEquals(202, sent.status(), sent.body());
    String commandId = sent.json().get("commandId").asText();
    TestNode.Response early =
        node.request("POST", "/command/res/" + commandId + "?hono-cmd-status=200")
            .basic("sensor3@" + TENANT, "sensor3-secret")
            .json("{\"forged\": true}")
            .send();
    assertEquals(403, early.status(), early.body());
    assertEquals("queued", find(commands("4713"), commandId).get("status").asText());

    // another device answering it (as if it were the device's gateway)
    TestNode.Response other =
        node.request(
                "PUT", "/command/res/DEFAULT_TENANT/4713/" + commandId + "?hono-cmd-status=200")
            .basic("sensor1@" + TENANT, "hono-secret")
            .send();
    assertEquals(403, other.status(), other.body());
    assertEquals("queued", find(commands("4713"), commandId).get("status").asText());

    // delivered to the device: now its answer is taken
    TestNode.Response delivered =
        honoPost("/event", "sensor3", "sensor3-secret", TEMP).header("hono-ttd", "2").send();
    assertEquals(200, delivered.status(), delivered.body());
    assertEquals(commandId, header(delivered, "hono-cmd-req-id").orElseThrow());
    TestNode.Response answered =
        node.request("POST", "/command/res/" + commandId + "?hono-cmd-status=200")
            .basic("sensor3@" + TENANT, "sensor3-secret")
            .json("{\"brightness-changed\": true}")
            .send();
    assertEquals(503, answered.status(), "nobody waits any more: " + answered.body());
    JsonNode responded = find(commands("4713"), commandId);
    assertEquals("responded", responded.get("status").asText());
    assertEquals(
        "{\"brightness-changed\": true}",
        new String(
            Base64.getDecoder().decode(responded.get("response").get("payload").asText()),
            StandardCharsets.UTF_8));

    // a command the gateway received is the gateway's to answer, not the device's
    TestNode.Response forGateway =
        management("POST", "/api/v0002/application/types/sensor/devices/4716/commands/blink")
            .json("{}")
            .send();
    assertEquals(202, forGateway.status(), forGateway.body());
    String gatewayCommand = forGateway.json().get("commandId").asText();
    TestNode.Response throughGateway =
        honoPut("/telemetry/DEFAULT_TENANT/4716", TEMP)
            .basic("gw@" + TENANT, "gw-secret")
            .header("hono-ttd", "2")
            .send();
    assertEquals(200, throughGateway.status(), throughGateway.body());
    assertEquals(gatewayCommand, header(throughGateway, "hono-cmd-req-id").orElseThrow());
    TestNode.Response byDevice =
        node.request(
                "PUT",
                "/command/res/DEFAULT_TENANT/4716/" + gatewayCommand + "?hono-cmd-status=200")
            .send();
    assertEquals(403, byDevice.status(), byDevice.body());
    assertEquals("delivered", find(commands("4716"), gatewayCommand).get("status").asText());
    TestNode.Response byGateway =
        node.request(
                "PUT",
                "/command/res/DEFAULT_TENANT/4716/" + gatewayCommand + "?hono-cmd-status=200")
            .basic("gw@" + TENANT, "gw-secret")
            .send();
    assertEquals(503, byGateway.status(), byGateway.body());
    assertEquals("responded", find(commands("4716"), gatewayCommand).get("status").asText());
  }

  @Test
  void refusalsOverRealHttp() {
    TestNode.Response wrong = honoPost("/telemetry", "sensor1", "wrong", TEMP).send();
    assertEquals(401, wrong.status(), wrong.body());
    assertTrue(wrong.raw().headers().firstValue("WWW-Authenticate").isPresent());
    TestNode.Response noType =
        node.request("POST", "/telemetry").basic("sensor1@" + TENANT, "hono-secret").send();
    assertEquals(400, noType.status(), noType.body());
    TestNode.Response notListed =
        honoPut("/telemetry/DEFAULT_TENANT/4711", TEMP).basic("gw@" + TENANT, "gw-secret").send();
    assertEquals(403, notListed.status(), notListed.body());
    TestNode.Response noStatus =
        node.request("POST", "/command/res/some-id")
            .basic("sensor1@" + TENANT, "hono-secret")
            .send();
    assertEquals(400, noStatus.status(), noStatus.body());
  }

  // ---- helpers ----

  private static TestNode.RequestBuilder honoPost(
      String path, String authId, String password, String json) {
    return node.request("POST", path).basic(authId + "@" + TENANT, password).json(json);
  }

  private static TestNode.RequestBuilder honoPut(String path, String json) {
    return node.request("PUT", path).json(json);
  }

  private static TestNode.RequestBuilder management(String method, String path) {
    return node.request(method, path)
        .organization(apiKey.org())
        .basic(apiKey.key(), apiKey.token());
  }

  private static void addPassword(String type, String id, String authId, String password) {
    TestNode.Response added =
        management("POST", "/api/v0002/device/types/" + type + "/devices/" + id + "/credentials")
            .json(
                "{\"type\":\"hashed-password\",\"auth-id\":\""
                    + authId
                    + "\",\"secret\":\""
                    + password
                    + "\"}")
            .send();
    assertEquals(201, added.status(), added.body());
  }

  private static JsonNode commands(String deviceId) {
    TestNode.Response listed =
        management("GET", "/api/v0002/application/types/sensor/devices/" + deviceId + "/commands")
            .send();
    assertEquals(200, listed.status(), listed.body());
    return listed.json();
  }

  private static JsonNode find(JsonNode commands, String commandId) {
    for (JsonNode command : commands) {
      if (command.get("commandId").asText().equals(commandId)) {
        return command;
      }
    }
    throw new AssertionError("no command " + commandId + " in " + commands);
  }

  private static void assertLastEvent(String type, String id, String eventId, String payload) {
    TestNode.Response last =
        management(
                "GET", "/api/v0002/device/types/" + type + "/devices/" + id + "/events/" + eventId)
            .send();
    assertEquals(200, last.status(), last.body());
    assertEquals(
        payload,
        new String(
            Base64.getDecoder().decode(last.json().get("payload").asText()),
            StandardCharsets.UTF_8));
  }

  private static void assertAccepted(TestNode.Response response) {
    assertEquals(202, response.status(), response.body());
    assertEquals("", response.body());
  }

  private static Optional<String> header(TestNode.Response response, String name) {
    return response.raw().headers().firstValue(name);
  }

  private static CompletableFuture<TestNode.Response> inBackground(
      Supplier<TestNode.Response> request) {
    return CompletableFuture.supplyAsync(request, BACKGROUND);
  }
}

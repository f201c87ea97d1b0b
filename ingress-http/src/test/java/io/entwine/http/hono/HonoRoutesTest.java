package io.entwine.http.hono;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.http.ApiRouteTest;
import io.entwine.http.TestCluster;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Eclipse Hono HTTP adapter: every status code and header of the Eclipse Hono 1.2 HTTP adapter
 * user guide, and after every refusal a check that nothing was recorded.
 */
public class HonoRoutesTest extends ApiRouteTest {
  private static final String JSON = "{\"temp\": 5}";
  private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool();

  private ApiKey key;
  private Device device;
  private String tenant;

  HonoRoutesTest(TestCluster cluster) {
    super(cluster);
  }

  @AfterAll
  static void stopBackground() {
    BACKGROUND.shutdownNow();
  }

  /**
   * Device 4711 of the user guide with auth-id sensor1 and password hono-secret, in a fresh tenant.
   */
  @BeforeEach
  void tenantWithDevice() {
    key = organizationWithApiKey("hono");
    tenant = key.org().toUpperCase();
    device = registerDevice(key, "sensor", "4711");
    addPassword(device, "sensor1", "hono-secret");
  }

  // ---- telemetry and events from an authenticated device ----

  @Test
  void acceptsTelemetryWith202AfterRecordingIt() {
    TestRouteResult result = api.run(telemetry("sensor1", "hono-secret", JSON));

    assertEquals(StatusCodes.ACCEPTED, result.status(), result.entityString());
    assertEquals("", result.entityString());
    assertRecorded(device, "telemetry", JSON);
  }

  @Test
  void acceptsAtLeastOnceTelemetryAndAnEvent() {
    TestRouteResult qos1 =
        api.run(telemetry("sensor1", "hono-secret", JSON).addHeader(header("qos-level", "1")));
    TestRouteResult event =
        api.run(
            withJson(HttpRequest.POST("/event"), "{\"alarm\": true}")
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));

    assertEquals(StatusCodes.ACCEPTED, qos1.status(), qos1.entityString());
    assertEquals(StatusCodes.ACCEPTED, event.status(), event.entityString());
    assertRecorded(device, "event", "{\"alarm\": true}");
  }

  @Test
  void refusesAnInvalidQosLevelTtdOrTtlWith400() {
    TestRouteResult qos =
        api.run(telemetry("sensor1", "hono-secret", JSON).addHeader(header("qos-level", "2")));
    TestRouteResult ttd =
        api.run(telemetry("sensor1", "hono-secret", JSON).addHeader(header("hono-ttd", "soon")));

    TestRouteResult ttl =
        api.run(
            withJson(HttpRequest.POST("/event?hono-ttl=-5"), JSON)
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));

    assertError(qos, StatusCodes.BAD_REQUEST, "qos-level");
    assertError(ttd, StatusCodes.BAD_REQUEST, "hono-ttd");
    assertError(ttl, StatusCodes.BAD_REQUEST, "hono-ttl");
    assertNothingRecorded(device);
  }

  @Test
  void refusesAMissingContentTypeOrAnEmptyBodyWith400() {
    TestRouteResult noType =
        api.run(
            HttpRequest.POST("/telemetry")
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    TestRouteResult empty = api.run(telemetry("sensor1", "hono-secret", ""));

    assertError(noType, StatusCodes.BAD_REQUEST, "content-type");
    assertError(empty, StatusCodes.BAD_REQUEST, "empty");
    assertNothingRecorded(device);
  }

  @Test
  void acceptsAnEmptyNotificationEventOnly() {
    var emptyNotification = ContentTypes.parse(HonoRequest.EMPTY_NOTIFICATION);
    TestRouteResult asTelemetry =
        api.run(
            HttpRequest.POST("/telemetry")
                .withEntity(HttpEntities.create(emptyNotification, new byte[0]))
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    assertError(asTelemetry, StatusCodes.BAD_REQUEST, "empty");
    assertNothingRecorded(device);

    TestRouteResult asEvent =
        api.run(
            HttpRequest.POST("/event")
                .withEntity(HttpEntities.create(emptyNotification, new byte[0]))
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    assertEquals(StatusCodes.ACCEPTED, asEvent.status(), asEvent.entityString());
    assertRecorded(device, "event", "");
  }

  @Test
  void refusesWrongOrMissingCredentialsWith401() {
    for (HttpRequest request :
        List.of(
            telemetry("sensor1", "wrong-secret", JSON),
            telemetry("nobody", "hono-secret", JSON),
            withJson(HttpRequest.POST("/telemetry"), JSON)
                .addCredentials(basic("sensor1@nosuchtenant", "hono-secret")),
            withJson(HttpRequest.POST("/telemetry"), JSON)
                .addCredentials(basic("sensor1", "hono-secret")),
            withJson(HttpRequest.POST("/telemetry"), JSON))) {
      assertUnauthorized(api.run(request), "Basic", "");
    }
    assertNothingRecorded(device);
  }

  @Test
  void refusesATenantThatMayNotUseTheAdapterWith403() {
    configureHono("{\"enabled\":false}");

    TestRouteResult result = api.run(telemetry("sensor1", "hono-secret", JSON));

    assertError(result, StatusCodes.FORBIDDEN, "not allowed to use the Hono HTTP adapter");
    assertNothingRecorded(device);
  }

  @Test
  void refusesADisabledDeviceWith404() {
    TestRouteResult disabled =
        api.run(
            withApiKey(
                key, withJson(HttpRequest.PUT(DEVICES + "/sensor/4711"), "{\"enabled\":false}")));
    assertEquals(StatusCodes.OK, disabled.status(), disabled.entityString());

    TestRouteResult result = api.run(telemetry("sensor1", "hono-secret", JSON));

    assertError(result, StatusCodes.NOT_FOUND, "disabled");
    assertNothingRecorded(device);
  }

  @Test
  void refusesAPayloadOverTheTenantLimitWith413() {
    setLimits(key.org(), "{\"max-payload-bytes\":8}");

    TestRouteResult result = api.run(telemetry("sensor1", "hono-secret", "{\"temp\": 12345}"));

    assertError(result, StatusCodes.PAYLOAD_TOO_LARGE, "8 bytes");
    assertNothingRecorded(device);
  }

  @Test
  void dropsAUtf8ByteOrderMarkAndRefusesUtf16Json() {
    byte[] text = "{\"temp\": 7}".getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[text.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withBom, 3, text.length);
    HttpRequest bom =
        HttpRequest.POST("/telemetry")
            .withEntity(org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, withBom)
            .addCredentials(basic("sensor1@" + tenant, "hono-secret"));
    HttpRequest utf16 =
        HttpRequest.POST("/telemetry")
            .withEntity(
                org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
                "{\"temp\": 8}".getBytes(StandardCharsets.UTF_16))
            .addCredentials(basic("sensor1@" + tenant, "hono-secret"));

    assertEquals(StatusCodes.ACCEPTED, api.run(bom).status());
    assertRecorded(device, "telemetry", "{\"temp\": 7}");
    assertError(api.run(utf16), StatusCodes.BAD_REQUEST, "UTF-8");
    assertEquals(1, recordedCount(device), "the UTF-16 message was not recorded");
  }

  @Test
  void refusesMessagesOverTheTenantBudgetWith429() {
    setLimits(key.org(), "{\"messages-per-period\":2,\"period-seconds\":3600}");

    assertEquals(StatusCodes.ACCEPTED, api.run(telemetry("sensor1", "hono-secret", JSON)).status());
    assertEquals(StatusCodes.ACCEPTED, api.run(telemetry("sensor1", "hono-secret", JSON)).status());
    TestRouteResult third = api.run(telemetry("sensor1", "hono-secret", "{\"n\":3}"));

    assertError(third, StatusCodes.TOO_MANY_REQUESTS, "message limit of 2 per 3600 s");
    assertEquals(2, recordedCount(device), "the refused message was not recorded");
  }

  @Test
  void answers503AndRecordsNothingWhenAnAtLeastOnceMessageCannotBePersisted() {
    // authenticate once, so the impatient gateway below only waits for the failing write
    assertEquals(
        StatusCodes.ACCEPTED, api.run(telemetry("sensor1", "hono-secret", "{\"n\":0}")).status());
    var impatient = testRoute(routes(cluster.gateway(java.time.Duration.ofMillis(700))));
    cluster.journal().failNextPersisted(TestCluster.twinPersistenceId(device.key()));

    TestRouteResult result =
        impatient.run(
            telemetry("sensor1", "hono-secret", JSON).addHeader(header("qos-level", "1")));

    assertError(result, StatusCodes.SERVICE_UNAVAILABLE, "retry later");
    assertEquals(1, recordedCount(device), "only the first message was recorded");
  }

  // ---- commands in the response ----

  @Test
  void returnsAWaitingCommandWith200AndTheHonoHeaders() {
    String commandId = sendCommand(device, "set", "{\"brightness\": 87}");

    TestRouteResult result =
        api.run(telemetry("sensor1", "hono-secret", JSON).addHeader(header("hono-ttd", "10")));

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals("set", headerOf(result, "hono-command").orElseThrow());
    assertEquals(commandId, headerOf(result, "hono-cmd-req-id").orElseThrow());
    assertTrue(headerOf(result, "hono-cmd-target-device").isEmpty(), "not for a gateway");
    assertEquals("application/json", result.mediaTypeString());
    assertEquals("{\"brightness\": 87}", result.entityString());
    assertTrue(
        cluster.twinEvents(device.key()).stream()
            .anyMatch(
                e -> e instanceof TwinEvent.CommandDelivered d && d.commandId().equals(commandId)),
        "recorded as delivered");
  }

  @Test
  void answers202WhenNoCommandComesWithinTtd() {
    TestRouteResult result =
        api.run(
            withJson(HttpRequest.POST("/telemetry?hono-ttd=1"), JSON)
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));

    assertEquals(StatusCodes.ACCEPTED, result.status(), result.entityString());
    assertTrue(headerOf(result, "hono-command").isEmpty());
    assertRecorded(device, "telemetry", JSON);
  }

  @Test
  void deliversACommandSentWhileTheDeviceWaitsAndItsResponseToTheWaitingApplication()
      throws Exception {
    CompletableFuture<TestRouteResult> waiting =
        inBackground(
            () ->
                api.run(
                    telemetry("sensor1", "hono-secret", JSON).addHeader(header("hono-ttd", "20"))));
    awaitDeviceWaiting();
    CompletableFuture<TestRouteResult> application =
        inBackground(
            () ->
                api.run(
                    withApiKey(
                        key,
                        withJson(
                            HttpRequest.POST(commandsPath(device) + "/set?timeout=20"),
                            "{\"brightness\": 87}"))));

    TestRouteResult delivered = waiting.get(20, TimeUnit.SECONDS);
    assertEquals(StatusCodes.OK, delivered.status(), delivered.entityString());
    String requestId = headerOf(delivered, "hono-cmd-req-id").orElseThrow();
    TestRouteResult responded =
        api.run(
            withJson(
                    HttpRequest.POST("/command/res/" + requestId + "?hono-cmd-status=200"),
                    "{\"brightness-changed\": true}")
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));

    assertEquals(StatusCodes.ACCEPTED, responded.status(), responded.entityString());
    TestRouteResult answer = application.get(20, TimeUnit.SECONDS);
    assertEquals(StatusCodes.OK, answer.status(), answer.entityString());
    JsonNode body = body(answer);
    assertEquals(requestId, body.get("commandId").asText());
    assertEquals(200, body.get("status").asInt());
    assertEquals("json", body.get("format").asText());
    assertEquals(
        "{\"brightness-changed\": true}",
        new String(
            Base64.getDecoder().decode(body.get("payload").asText()), StandardCharsets.UTF_8));
  }

  @Test
  void answersACommandResponseWithoutStatusWith400AndOneNobodyWaitsForWith503() {
    String commandId = sendCommand(device, "set", "{}");
    TestRouteResult fetched =
        api.run(telemetry("sensor1", "hono-secret", JSON).addHeader(header("hono-ttd", "5")));
    assertEquals(StatusCodes.OK, fetched.status());

    TestRouteResult noStatus =
        api.run(
            withJson(HttpRequest.POST("/command/res/" + commandId), "{}")
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    assertError(noStatus, StatusCodes.BAD_REQUEST, "status");

    TestRouteResult nobody =
        api.run(
            HttpRequest.POST("/command/res/" + commandId)
                .addHeader(header("hono-cmd-status", "200"))
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    assertError(nobody, StatusCodes.SERVICE_UNAVAILABLE, "No application waits");

    TestRouteResult unknown =
        api.run(
            HttpRequest.POST("/command/res/no-such-request?hono-cmd-status=200")
                .addCredentials(basic("sensor1@" + tenant, "hono-secret")));
    assertError(unknown, StatusCodes.SERVICE_UNAVAILABLE, "No application waits");
  }

  // ---- unauthenticated devices and gateways ----

  @Test
  void refusesAnUnauthenticatedDeviceUnlessTheTenantAllowsIt() {
    TestRouteResult refused = api.run(putTelemetry(tenant, "4711", JSON));
    assertUnauthorized(refused, "Basic", "requires devices to authenticate");
    assertNothingRecorded(device);

    configureHono("{\"allow-unauthenticated\":true}");
    TestRouteResult accepted = api.run(putTelemetry(tenant, "4711", JSON));

    assertEquals(StatusCodes.ACCEPTED, accepted.status(), accepted.entityString());
    assertRecorded(device, "telemetry", JSON);
  }

  @Test
  void resolvesDeviceIdsWithinTheTenant404UnknownAnd409Ambiguous() {
    configureHono("{\"allow-unauthenticated\":true}");
    registerDevice(key, "other", "4711");
    registerDevice(key, "lamp", "solo");

    assertError(api.run(putTelemetry(tenant, "ghost", JSON)), StatusCodes.NOT_FOUND, "ghost");
    assertError(
        api.run(putTelemetry(tenant, "4711", JSON)),
        StatusCodes.CONFLICT,
        "registered under several device types");
    assertNothingRecorded(device);
    assertEquals(StatusCodes.ACCEPTED, api.run(putEvent(tenant, "solo", "{\"on\":1}")).status());
  }

  @Test
  void letsAGatewayListedInViaPublishForADeviceAndRefusesOthersWith403() {
    Device gw = registerDevice(key, "gateway", "gw-1");
    addPassword(gw, "gw", "gw-secret");
    Device target = registerDevice(key, "sensor", "4712");

    TestRouteResult notListed =
        api.run(
            putTelemetry(tenant, "4712", JSON).addCredentials(basic("gw@" + tenant, "gw-secret")));
    assertError(notListed, StatusCodes.FORBIDDEN, "not authorized to act for device '4712'");
    assertNothingRecorded(target);

    setVia(target, "gw-1");
    TestRouteResult listed =
        api.run(
            putTelemetry(tenant, "4712", JSON).addCredentials(basic("gw@" + tenant, "gw-secret")));

    assertEquals(StatusCodes.ACCEPTED, listed.status(), listed.entityString());
    assertRecorded(target, "telemetry", JSON);
    assertNothingRecorded(gw);
  }

  @Test
  void refusesAGatewayOfAnotherTenantWith403() {
    ApiKey otherKey = organizationWithApiKey("honoother");
    Device gw = registerDevice(otherKey, "gateway", "gw-9");
    addPassword(otherKey, gw, "gw9", "gw-secret");

    TestRouteResult result =
        api.run(
            putTelemetry(tenant, "4711", JSON)
                .addCredentials(basic("gw9@" + otherKey.org(), "gw-secret")));

    assertError(result, StatusCodes.FORBIDDEN, "another tenant");
    assertNothingRecorded(device);
  }

  @Test
  void givesAGatewayWaitingForADeviceTheCommandWithTheTargetDevice() {
    Device gw = registerDevice(key, "gateway", "gw-1");
    addPassword(gw, "gw", "gw-secret");
    Device target = registerDevice(key, "sensor", "4712");
    setVia(target, "gw-1");
    String commandId = sendCommand(target, "set", "{\"brightness\": 87}");

    TestRouteResult result =
        api.run(
            putTelemetry(tenant, "4712", JSON)
                .addHeader(header("hono-ttd", "10"))
                .addCredentials(basic("gw@" + tenant, "gw-secret")));

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals(commandId, headerOf(result, "hono-cmd-req-id").orElseThrow());
    assertEquals("4712", headerOf(result, "hono-cmd-target-device").orElseThrow());

    TestRouteResult responded =
        api.run(
            HttpRequest.PUT(
                    "/command/res/" + tenant + "/4712/" + commandId + "?hono-cmd-status=200")
                .addCredentials(basic("gw@" + tenant, "gw-secret")));
    assertError(responded, StatusCodes.SERVICE_UNAVAILABLE, "No application waits");
    assertTrue(
        cluster.twinEvents(target.key()).stream()
            .anyMatch(e -> e instanceof TwinEvent.CommandResponded),
        "the response is recorded even though nobody waits for it");
  }

  @Test
  void givesAGatewayWaitingOnItsOwnRequestACommandForOneOfItsDevices() throws Exception {
    Device gw = registerDevice(key, "gateway", "gw-1");
    addPassword(gw, "gw", "gw-secret");
    Device target = registerDevice(key, "sensor", "4712");
    setVia(target, "gw-1");

    CompletableFuture<TestRouteResult> waiting =
        inBackground(
            () -> api.run(telemetry("gw", "gw-secret", JSON).addHeader(header("hono-ttd", "20"))));
    awaitWaiting(gw);
    String commandId = sendCommand(target, "set", "{\"brightness\": 87}");

    TestRouteResult result = waiting.get(20, TimeUnit.SECONDS);
    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals(commandId, headerOf(result, "hono-cmd-req-id").orElseThrow());
    assertEquals("4712", headerOf(result, "hono-cmd-target-device").orElseThrow());
    assertEquals("{\"brightness\": 87}", result.entityString());
  }

  @Test
  void givesAGatewayWaitingOnItsOwnRequestACommandQueuedBeforeForOneOfItsDevices() {
    Device gw = registerDevice(key, "gateway", "gw-1");
    addPassword(gw, "gw", "gw-secret");
    Device target = registerDevice(key, "sensor", "4712");
    setVia(target, "gw-1");
    String commandId = sendCommand(target, "set", "{}");

    TestRouteResult result =
        api.run(telemetry("gw", "gw-secret", JSON).addHeader(header("hono-ttd", "10")));

    assertEquals(StatusCodes.OK, result.status(), result.entityString());
    assertEquals(commandId, headerOf(result, "hono-cmd-req-id").orElseThrow());
    assertEquals("4712", headerOf(result, "hono-cmd-target-device").orElseThrow());
  }

  // ---- helpers ----

  private HttpRequest telemetry(String authId, String password, String json) {
    return withJson(HttpRequest.POST("/telemetry"), json)
        .addCredentials(basic(authId + "@" + tenant, password));
  }

  private static HttpRequest putTelemetry(String tenant, String deviceId, String json) {
    return withJson(HttpRequest.PUT("/telemetry/" + tenant + "/" + deviceId), json);
  }

  private static HttpRequest putEvent(String tenant, String deviceId, String json) {
    return withJson(HttpRequest.PUT("/event/" + tenant + "/" + deviceId), json);
  }

  private static HttpHeader header(String name, String value) {
    return RawHeader.create(name, value);
  }

  private static Optional<String> headerOf(TestRouteResult result, String name) {
    return result.response().getHeader(name).map(HttpHeader::value);
  }

  public static String commandsPath(Device device) {
    return "/api/v0002/application/types/"
        + device.type()
        + "/devices/"
        + device.id()
        + "/commands";
  }

  private String sendCommand(Device target, String command, String json) {
    TestRouteResult sent =
        api.run(
            withApiKey(
                key, withJson(HttpRequest.POST(commandsPath(target) + "/" + command), json)));
    assertEquals(StatusCodes.ACCEPTED, sent.status(), sent.entityString());
    return body(sent).get("commandId").asText();
  }

  private void addPassword(Device target, String authId, String password) {
    addPassword(key, target, authId, password);
  }

  private void addPassword(ApiKey owner, Device target, String authId, String password) {
    TestRouteResult added =
        api.run(
            withApiKey(
                owner,
                withJson(
                    HttpRequest.POST(credentialsPath(target)),
                    "{\"type\":\"hashed-password\",\"auth-id\":\""
                        + authId
                        + "\",\"secret\":\""
                        + password
                        + "\"}")));
    assertEquals(StatusCodes.CREATED, added.status(), added.entityString());
  }

  public static String credentialsPath(Device device) {
    return "/api/v0002/device/types/" + device.type() + "/devices/" + device.id() + "/credentials";
  }

  private void setVia(Device target, String gatewayId) {
    setVia(key, target, gatewayId);
  }

  private void configureHono(String json) {
    TestRouteResult set =
        api.run(
            asOperator(
                withJson(
                    HttpRequest.PUT(ORGANIZATIONS + "/" + key.org() + "/adapters/hono-http"),
                    json)));
    assertEquals(StatusCodes.OK, set.status(), set.entityString());
  }

  private void assertRecorded(Device target, String eventId, String payload) {
    assertTrue(
        cluster.twinEvents(target.key()).stream()
            .anyMatch(
                e ->
                    e instanceof TwinEvent.EventRecorded r
                        && r.eventId().equals(eventId)
                        && new String(r.payload(), StandardCharsets.UTF_8).equals(payload)),
        () -> eventId + " " + payload + " recorded on " + target.key());
  }

  private void assertNothingRecorded(Device target) {
    assertEquals(0, recordedCount(target), "no event recorded on " + target.key());
  }

  private long recordedCount(Device target) {
    return cluster.twinEvents(target.key()).stream()
        .filter(e -> e instanceof TwinEvent.EventRecorded)
        .count();
  }

  private CompletableFuture<TestRouteResult> inBackground(
      java.util.function.Supplier<TestRouteResult> request) {
    return CompletableFuture.supplyAsync(request, BACKGROUND);
  }

  /** Until the device's own request with ttd has been recorded and is waiting at its twin. */
  private void awaitDeviceWaiting() {
    awaitWaiting(device);
  }

  private void awaitWaiting(Device waiting) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (recordedCount(waiting) == 0) {
      assertFalse(System.nanoTime() > deadline, "the request with ttd reached the twin");
      Thread.onSpinWait();
    }
    // The wait reaches the twin right after the record's answer; the twin tells who waits.
    while (!isWaiting(waiting)) {
      assertFalse(System.nanoTime() > deadline, "the request with ttd waits at the twin");
      Thread.onSpinWait();
    }
  }

  private boolean isWaiting(Device waiting) {
    try {
      Reply reply =
          cluster
              .gateway()
              .commands()
              .list(waiting.key())
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      return ((Reply.CommandList) reply).waitingRequests() > 0;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

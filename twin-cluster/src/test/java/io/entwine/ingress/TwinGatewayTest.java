package io.entwine.ingress;

import static io.entwine.ingress.GatewayFixture.T0;
import static io.entwine.ingress.GatewayFixture.await;
import static io.entwine.ingress.GatewayFixture.registerTwin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.metrics.Meters;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.Organization;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway against a single-node cluster with sharded twins and the in-memory journal. */
class TwinGatewayTest {
  private static final String ORG = "gworg";
  private static final String TOKEN = "device-token-1234567";
  private static final String WRONG_TOKEN = "wrong-token-12345678";

  private static ActorTestKit testKit;
  private static TwinGateway gateway;
  private static VerifiedSecrets secrets;

  @BeforeAll
  static void startCluster() {
    testKit = InMemoryCluster.startSingleNode("TwinGatewayTest", "");
    DeviceTwin.init(testKit.system());
    Organization.init(testKit.system());
    secrets = Credentials.get(testKit.system()).verifiedSecrets();
    gateway = new TwinGateway(testKit.system(), secrets, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  @Test
  void credentialsUseTheConfiguredIterationCount() {
    assertTrue(secrets.hasher().hash(TOKEN).startsWith("pbkdf2-sha256$1000$"));
  }

  @Test
  void recordsEventWithTheRightTokenAfterTheVerificationRoundTrip() throws Exception {
    DeviceKey device = registered("dev-right");

    Reply reply = await(gateway.recordEvent(message(device, "temp", "{\"t\":21}"), TOKEN));

    assertEquals(new Reply.Done(), reply);
    Reply.LastEvents last =
        assertInstanceOf(
            Reply.LastEvents.class,
            await(
                gateway.ask(
                    gateway.twin(device),
                    replyTo -> new TwinCommand.GetLastEvents("temp", replyTo))));
    assertEquals(1, last.events().size());
    assertArrayEquals(utf8("{\"t\":21}"), last.events().get(0).payload());
  }

  @Test
  void secondEventIsAcceptedWithoutAnotherVerification() throws Exception {
    DeviceKey device = registered("dev-cached");
    await(gateway.recordEvent(message(device, "temp", "{}"), TOKEN));

    // Asked directly, without the gateway's verification round: the twin accepts at once.
    Reply direct = await(recordUnverified(device, TOKEN));

    assertEquals(new Reply.Done(), direct);
    assertEquals(2, info(device).eventCount());
  }

  @Test
  void countsAcknowledgedAndRefusedEventsPerProtocol() throws Exception {
    DeviceKey device = registered("dev-counted");
    DeviceMessage viaHono =
        new DeviceMessage(
            device,
            "temp",
            Payloads.JSON,
            utf8("{}"),
            T0,
            T0,
            "hono-http:telemetry",
            DeviceMessage.ACKNOWLEDGED_QOS);
    double acknowledged = count(IngestMeters.ACKNOWLEDGED, "hono-http", null);
    double refused = count(IngestMeters.REFUSED, "hono-http", "unauthorized");
    long latencies = latencies("hono-http");

    await(gateway.recordEvent(viaHono, TOKEN));
    await(gateway.recordEvent(viaHono, WRONG_TOKEN));

    assertEquals(acknowledged + 1, count(IngestMeters.ACKNOWLEDGED, "hono-http", null));
    assertEquals(refused + 1, count(IngestMeters.REFUSED, "hono-http", "unauthorized"));
    assertEquals(latencies + 1, latencies("hono-http"));
  }

  @Test
  void timesTheStagesOfAnAcknowledgementAndKeepsItWhenSlow() throws Exception {
    DeviceKey device = registered("dev-staged");
    // received a second ago: slower than the threshold (50 ms) whatever this machine does
    Instant receivedAt = Instant.now().minusSeconds(1);
    DeviceMessage slow =
        new DeviceMessage(
            device,
            "temp",
            Payloads.JSON,
            utf8("{}"),
            receivedAt,
            receivedAt,
            "tencent-http",
            DeviceMessage.ACKNOWLEDGED_QOS);
    long journalWrites = stageCount("tencent-http", "journal");

    assertEquals(new Reply.Done(), await(gateway.recordEvent(slow, TOKEN)));

    assertEquals(journalWrites + 1, stageCount("tencent-http", "journal"));
    SlowAcknowledgements.Record record =
        gateway.slowAcknowledgements().snapshot().records().stream()
            .filter(r -> r.receivedAt().equals(receivedAt))
            .findFirst()
            .orElseThrow();
    assertEquals("tencent-http", record.protocol());
    assertEquals(1, record.events());
    assertTrue(record.admissionMillis() >= 1000, "waited a second before the gateway");
    assertTrue(record.journalMillis() >= 0, "the twin stamped its journal write");
    assertEquals(
        record.totalMillis(),
        record.admissionMillis()
            + record.toTwinMillis()
            + record.handlerMillis()
            + record.journalMillis()
            + record.replyMillis(),
        0.01);
  }

  private long stageCount(String protocol, String stage) {
    return Meters.registry(testKit.system())
        .get(IngestMeters.STAGE)
        .tag("protocol", protocol)
        .tag("stage", stage)
        .timer()
        .count();
  }

  private double count(String name, String protocol, String reason) {
    var search = Meters.registry(testKit.system()).find(name).tag("protocol", protocol);
    if (reason != null) {
      search = search.tag("reason", reason);
    }
    var counter = search.counter();
    return counter == null ? 0 : counter.count();
  }

  private long latencies(String protocol) {
    return Meters.registry(testKit.system())
        .get(IngestMeters.LATENCY)
        .tag("protocol", protocol)
        .timer()
        .count();
  }

  @Test
  void rejectsEventWithWrongToken() throws Exception {
    DeviceKey device = registered("dev-wrong");

    Reply reply = await(gateway.recordEvent(message(device, "temp", "{}"), WRONG_TOKEN));

    assertEquals(Rejection.UNAUTHORIZED, rejection(reply));
    assertEquals(0, info(device).eventCount(), "nothing recorded");
    assertFalse(secrets.isVerified(registrationHash(device), WRONG_TOKEN));
  }

  @Test
  void rejectsEventForUnknownDeviceLikeAWrongToken() throws Exception {
    DeviceKey unknown = new DeviceKey(ORG, "sensor", "never-registered");

    Reply reply = await(gateway.recordEvent(message(unknown, "temp", "{}"), TOKEN));

    assertEquals(Rejection.UNAUTHORIZED, rejection(reply));
  }

  @Test
  void rejectsEventFromDisabledDeviceAsDisabled() throws Exception {
    DeviceKey device = registered("dev-disabled");
    await(
        gateway.ask(
            gateway.twin(device), replyTo -> new TwinCommand.Update(null, false, T0, replyTo)));

    Reply right = await(gateway.recordEvent(message(device, "temp", "{}"), TOKEN));
    Reply wrong = await(gateway.recordEvent(message(device, "temp", "{}"), WRONG_TOKEN));

    assertEquals(Rejection.DISABLED, rejection(right));
    assertEquals(Rejection.UNAUTHORIZED, rejection(wrong), "disabled is not revealed");
    assertEquals(0, info(device).eventCount());
  }

  @Test
  void disablingADeviceKeepsItsMetadata() throws Exception {
    DeviceKey device = registered("dev-keep-metadata");

    await(
        gateway.ask(
            gateway.twin(device), replyTo -> new TwinCommand.Update(null, false, T0, replyTo)));

    assertEquals(
        JsonNodeFactory.instance.objectNode().put("location", "hall 1"), info(device).metadata());
  }

  @Test
  void authenticatesApiKeyWithTheRightToken() throws Exception {
    String org = organizationWithKey("gwauthok", "a-gwauthok-key");

    Reply first = await(gateway.authenticateApiKey(org, "a-gwauthok-key", TOKEN));
    Reply second = await(gateway.authenticateApiKey(org, "a-gwauthok-key", TOKEN));

    assertEquals(new Reply.Done(), first);
    assertEquals(new Reply.Done(), second);
  }

  @Test
  void rejectsApiKeyWithWrongToken() throws Exception {
    String org = organizationWithKey("gwauthbad", "a-gwauthbad-key");

    Reply reply = await(gateway.authenticateApiKey(org, "a-gwauthbad-key", WRONG_TOKEN));

    assertEquals(Rejection.UNAUTHORIZED, rejection(reply));
  }

  @Test
  void rejectsUnknownApiKeyAndUnknownOrganization() throws Exception {
    String org = organizationWithKey("gwauthunk", "a-gwauthunk-key");

    Reply unknownKey = await(gateway.authenticateApiKey(org, "a-gwauthunk-other", TOKEN));
    Reply unknownOrg = await(gateway.authenticateApiKey("nosuchorg", "a-gwauthunk-key", TOKEN));

    assertEquals(Rejection.UNAUTHORIZED, rejection(unknownKey));
    assertEquals(Rejection.UNAUTHORIZED, rejection(unknownOrg));
  }

  @Test
  void revokedApiKeyIsRejectedOnceThisNodeForgetsItsPass() throws Exception {
    String org = organizationWithKey("gwrevoked", "a-gwrevoked-key");
    assertEquals(
        new Reply.Done(), await(gateway.authenticateApiKey(org, "a-gwrevoked-key", TOKEN)));

    await(
        gateway.ask(
            gateway.organization(org),
            replyTo -> new Organization.RevokeApiKey("a-gwrevoked-key", T0, replyTo)));
    Reply remembered = await(gateway.authenticateApiKey(org, "a-gwrevoked-key", TOKEN));
    gateway.forgetApiKey(org, "a-gwrevoked-key"); // as a revocation through this node does
    Reply reply = await(gateway.authenticateApiKey(org, "a-gwrevoked-key", TOKEN));

    assertEquals(new Reply.Done(), remembered, "a fresh pass is trusted on this node");

    assertEquals(Rejection.UNAUTHORIZED, rejection(reply));
  }

  // ---- helpers ----

  @Test
  void aFloodOfWrongTokensFromOneAddressCostsBoundedHashesAndHoldsUpNoOtherDevice()
      throws Exception {
    AtomicInteger hashes = new AtomicInteger();
    VerifiedSecrets counted =
        new VerifiedSecrets(
            secrets.hasher(),
            task -> {
              hashes.incrementAndGet();
              task.run();
            },
            1000);
    TwinGateway countingGateway =
        new TwinGateway(testKit.system(), counted, Duration.ofSeconds(10));
    DeviceKey attacked = registered("dev-flooded");
    DeviceKey other = registered("dev-elsewhere");
    String flooder = "203.0.113.7";
    int limit =
        testKit
            .system()
            .settings()
            .config()
            .getInt("entwine.authentication-guard.max-failures-per-address");

    for (int i = 0; i < 20; i++) {
      Reply empty = await(countingGateway.authenticateDevice(attacked, "", flooder));
      assertEquals(Rejection.UNAUTHORIZED, rejection(empty), "an empty token");
    }
    assertEquals(0, hashes.get(), "an empty token is refused without hashing");
    for (int i = 0; i < 20; i++) {
      Reply same = await(countingGateway.authenticateDevice(attacked, WRONG_TOKEN, flooder));
      assertEquals(Rejection.UNAUTHORIZED, rejection(same), "the same wrong token");
    }
    assertEquals(1, hashes.get(), "a repeated wrong token is hashed once");
    int refusedAtOnce = 0;
    for (int i = 0; i < 3 * limit; i++) {
      Reply reply =
          await(countingGateway.authenticateDevice(attacked, "guess-" + i + "-token", flooder));
      Rejection reason = rejection(reply);
      assertTrue(
          reason == Rejection.UNAUTHORIZED || reason == Rejection.LIMIT_EXCEEDED, reason.name());
      refusedAtOnce += reason == Rejection.LIMIT_EXCEEDED ? 1 : 0;
    }

    assertTrue(hashes.get() <= limit, hashes.get() + " slow hashes for one address");
    assertTrue(refusedAtOnce >= 2 * limit, refusedAtOnce + " refused with 429");
    int before = hashes.get();
    assertEquals(
        new Reply.Done(), await(countingGateway.authenticateDevice(other, TOKEN, "203.0.113.8")));
    assertEquals(
        new Reply.Done(),
        await(countingGateway.authenticateDevice(attacked, TOKEN, "203.0.113.9")),
        "the flooded device itself, from its own address");
    assertEquals(before + 2, hashes.get());
    assertEquals(
        new Reply.Done(),
        await(countingGateway.authenticateDevice(attacked, TOKEN, flooder)),
        "a verified token needs no hash, so the flooding address does not hold it up");
  }

  private static DeviceKey registered(String id) throws Exception {
    DeviceKey device = new DeviceKey(ORG, "sensor", id);
    registerTwin(
        gateway,
        device,
        secrets.hasher().hash(TOKEN),
        JsonNodeFactory.instance.objectNode().put("location", "hall 1"),
        "a-gworg-key");
    return device;
  }

  private static String organizationWithKey(String org, String key) throws Exception {
    assertInstanceOf(
        Reply.OrganizationInfo.class,
        await(
            gateway.ask(
                gateway.organization(org),
                replyTo -> new Organization.Create("Org " + org, T0, replyTo))));
    String hash = secrets.hasher().hash(TOKEN);
    assertEquals(
        new Reply.Done(),
        await(
            gateway.ask(
                gateway.organization(org),
                replyTo -> new Organization.CreateApiKey(key, hash, "test", T0, replyTo))));
    return org;
  }

  private static Reply.DeviceInfo info(DeviceKey device) throws Exception {
    return assertInstanceOf(
        Reply.DeviceInfo.class, await(gateway.ask(gateway.twin(device), TwinCommand.Get::new)));
  }

  private static String registrationHash(DeviceKey device) throws Exception {
    // The hash is only revealed through the verification request.
    Reply reply = await(recordUnverified(device, WRONG_TOKEN));
    return assertInstanceOf(Reply.NeedsVerification.class, reply).secretHash();
  }

  private static DeviceMessage message(DeviceKey device, String eventId, String payload) {
    return new DeviceMessage(
        device,
        eventId,
        Payloads.JSON,
        utf8(payload),
        T0,
        T0.plusSeconds(1),
        "test",
        DeviceMessage.ACKNOWLEDGED_QOS);
  }

  /** Records an event on the twin directly, without the gateway's verification round. */
  private static CompletionStage<Reply> recordUnverified(DeviceKey device, String token) {
    return gateway.ask(
        gateway.twin(device),
        replyTo ->
            new TwinCommand.RecordEvent(
                token,
                null,
                new TwinCommand.EventPart(
                    "temp", "json", utf8("{}"), T0, T0, LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS),
                replyTo));
  }

  private static Rejection rejection(Reply reply) {
    return assertInstanceOf(Reply.Rejected.class, reply).reason();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

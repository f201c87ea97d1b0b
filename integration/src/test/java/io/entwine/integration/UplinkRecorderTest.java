package io.entwine.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.credentials.Credentials;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.script.DecodedUplink;
import io.entwine.integration.script.ScriptLimits;
import io.entwine.integration.script.UplinkConverter;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.registry.DeviceIdIndex;
import io.entwine.registry.Organization;
import io.entwine.testing.InMemoryCluster;
import io.entwine.twin.DeviceTwin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The recorder against a single-node cluster with sharded twins and the in-memory journal. */
class UplinkRecorderTest {
  private static final String ORG = "recorg";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ActorTestKit testKit;
  private static TwinGateway gateway;
  private static UplinkRecorder recorder;

  @BeforeAll
  static void startCluster() {
    testKit = InMemoryCluster.startSingleNode("UplinkRecorderTest", "");
    DeviceTwin.init(testKit.system());
    DeviceIdIndex.TABLE.init(testKit.system());
    // registrations count against the organization's device quota
    Organization.init(testKit.system());
    gateway =
        new TwinGateway(
            testKit.system(),
            Credentials.get(testKit.system()).verifiedSecrets(),
            Duration.ofSeconds(10));
    recorder = new UplinkRecorder(gateway);
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  private static List<DecodedUplink> decode(String script, String payload) throws Exception {
    return UplinkConverter.compile(script, ScriptLimits.DEFAULT)
        .decode(payload.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static List<Reply.LastEvent> lastEvents(DeviceKey device) throws Exception {
    Reply reply = await(gateway.devices().lastEvents(device, null));
    return assertInstanceOf(Reply.LastEvents.class, reply).events();
  }

  @Test
  void createsMissingDevicesAndRecordsTelemetryAsIotfEvents() throws Exception {
    List<DecodedUplink> uplinks =
        decode(
            "return [{deviceName: 'sn-1', deviceType: 'thermo', telemetry: {ts: 1700000000000,"
                + " values: {temperature: 33}}, attributes: {model: 'test'}}];",
            "{}");

    UplinkRecorder.Outcome outcome = await(recorder.record(ORG, uplinks, true, "http-test"));

    DeviceKey device = new DeviceKey(ORG, "thermo", "sn-1");
    assertEquals(List.of(device), outcome.recorded());
    assertEquals(List.of(device), outcome.created());
    assertTrue(outcome.allRecorded());
    Reply info = await(gateway.devices().get(device));
    assertEquals("http-test", assertInstanceOf(Reply.DeviceInfo.class, info).registeredBy());
    List<Reply.LastEvent> events = lastEvents(device);
    assertEquals(
        List.of("attributes", "telemetry"), events.stream().map(Reply.LastEvent::eventId).toList());
    Reply.LastEvent telemetry = events.get(1);
    assertEquals("json", telemetry.format());
    assertEquals(JSON.readTree("{\"d\":{\"temperature\":33}}"), JSON.readTree(telemetry.payload()));
    assertEquals(Instant.ofEpochMilli(1700000000000L), telemetry.timestamp());
    assertEquals(
        JSON.readTree("{\"d\":{\"model\":\"test\"}}"), JSON.readTree(events.get(0).payload()));
  }

  @Test
  void refusesUnknownDevicesWhenCreationIsOff() throws Exception {
    List<DecodedUplink> uplinks = decode("return {deviceName: 'ghost', telemetry: {t: 1}};", "{}");

    UplinkRecorder.Outcome outcome = await(recorder.record(ORG, uplinks, false, "strict"));

    assertEquals(List.of(), outcome.recorded());
    assertEquals(1, outcome.refused().size());
    assertEquals(Rejection.NOT_FOUND, outcome.refused().get(0).reason());
    assertTrue(outcome.refused().get(0).message().contains("allowCreateDevices"));
    Reply info = await(gateway.devices().get(new DeviceKey(ORG, "default", "ghost")));
    assertInstanceOf(Reply.Rejected.class, info);
  }

  @Test
  void recordsEverySampleOfAKnownDeviceInOrder() throws Exception {
    DeviceKey device = new DeviceKey(ORG, "meter", "m-1");
    await(
        recorder.record(
            ORG, decode("return {deviceName: 'm-1', deviceType: 'meter'};", "{}"), true, "x"));

    UplinkRecorder.Outcome outcome =
        await(
            recorder.record(
                ORG,
                decode(
                    "return {deviceName: 'm-1', deviceType: 'meter', telemetry: [{ts: 1000,"
                        + " values: {kwh: 1}}, {ts: 2000, values: {kwh: 2}}]};",
                    "{}"),
                false,
                "x"));

    assertEquals(List.of(device), outcome.recorded());
    assertEquals(List.of(), outcome.created());
    Reply info = await(gateway.devices().get(device));
    assertEquals(2, assertInstanceOf(Reply.DeviceInfo.class, info).eventCount());
    Reply.LastEvent last = lastEvents(device).get(0);
    assertEquals(Instant.ofEpochMilli(2000), last.timestamp());
  }

  /** As an MQTT bridge records: the recorder checks the quota itself, without cached settings. */
  @Test
  void aMessagePastTheDeviceQuotaRecordsNothingAndCreatesNone() throws Exception {
    String org = "quotaorg";
    await(gateway.organizations().create(org, "Quota"));
    await(gateway.organizations().setLimits(org, new Reply.MessageLimits(0, 60, 0, 2)));
    await(recorder.record(org, decode("return {deviceName: 'q-1'};", "{}"), true, "bridge"));

    UplinkRecorder.Outcome outcome =
        await(
            recorder.record(
                org,
                decode(
                    "return [{deviceName: 'q-1', telemetry: {t: 1}}, {deviceName: 'q-2'},"
                        + " {deviceName: 'q-3', telemetry: {t: 3}}];",
                    "{}"),
                true,
                "bridge"));

    assertEquals(List.of(), outcome.recorded());
    assertEquals(
        List.of("q-2", "q-3"), outcome.refused().stream().map(r -> r.device().id()).toList());
    assertEquals(Rejection.FORBIDDEN, outcome.refused().get(0).reason());
    assertTrue(outcome.refused().get(0).message().contains("at most 2 devices"));
    for (String id : List.of("q-2", "q-3")) {
      Reply info = await(gateway.devices().get(new DeviceKey(org, "default", id)));
      assertInstanceOf(Reply.Rejected.class, info, id);
    }
    Reply first = await(gateway.devices().get(new DeviceKey(org, "default", "q-1")));
    assertEquals(0, assertInstanceOf(Reply.DeviceInfo.class, first).eventCount());

    UplinkRecorder.Outcome one =
        await(recorder.record(org, decode("return {deviceName: 'q-2'};", "{}"), true, "bridge"));
    assertEquals(List.of(new DeviceKey(org, "default", "q-2")), one.created());
  }
}

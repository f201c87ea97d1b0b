package io.entwine.mgmt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.mgmt.ManagedDeviceProtocol.ActionStep;
import io.entwine.mgmt.ManagedDeviceProtocol.Command;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.mgmt.ManagedDeviceProtocol.Event;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ManagedDeviceTest {
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("ManagedDeviceTest");

  private EventSourcedBehaviorTestKit<Command, Event, ManagedDeviceState> device;
  private TestProbe<ToDevice> connection;
  private TestProbe<ActionRequests.DeviceFinished> outcomes;

  @BeforeEach
  void freshDevice() {
    connection = testKit.createTestProbe();
    outcomes = testKit.createTestProbe();
    device =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), ManagedDevice.create("acme/sensor/s1", outcomes.getRef()::tell));
    device.clear();
  }

  @Test
  void aRebootIsInitiatedAcceptedAndCompletedByTheNextManageRequest() throws Exception {
    manage();
    device.runCommand(new ManagedDeviceProtocol.Start("r1", "device/reboot", Map.of(), T0));

    ToDevice initiate = connection.receiveMessage();
    assertEquals("iotdm-1/mgmt/initiate/device/reboot", initiate.topic());
    assertEquals("r1", JSON.readTree(initiate.payload()).path("reqId").asText());
    respond("r1", 202);
    assertEquals(ActionStep.ACCEPTED, device.getState().action().step());

    device.restart(); // the step is durable
    manage();

    ActionRequests.DeviceFinished finished = outcomes.receiveMessage();
    assertTrue(finished.outcome().success());
    assertEquals("r1", finished.outcome().requestId());
    assertEquals("s1", finished.deviceId());
    assertEquals(null, device.getState().action());
  }

  @Test
  void aFirmwareDownloadGoesThroughUpdateObserveAndInitiateAndFailsOnAnErrorStatus()
      throws Exception {
    manage();
    device.runCommand(
        new ManagedDeviceProtocol.Start(
            "f1", "firmware/download", Map.of("uri", "https://fw/2.bin", "version", "2"), T0));

    JsonNode update = JSON.readTree(connection.receiveMessage().payload());
    assertEquals(
        "https://fw/2.bin",
        update.path("d").path("fields").get(0).path("value").path("uri").asText());
    respond(update.path("reqId").asText(), 204);
    ToDevice observe = connection.receiveMessage();
    assertEquals("iotdm-1/observe", observe.topic());
    respond(JSON.readTree(observe.payload()).path("reqId").asText(), 200);
    assertEquals("iotdm-1/mgmt/initiate/firmware/download", connection.receiveMessage().topic());
    respond("f1", 202);

    device.<Reply>runCommand(
        replyTo ->
            new ManagedDeviceProtocol.NotifyFirmware(
                JsonNodeFactory.instance.objectNode().put("state", 0).put("updateStatus", 6),
                T0,
                replyTo));

    assertEquals("iotdm-1/cancel", connection.receiveMessage().topic());
    ActionRequests.DeviceFinished finished = outcomes.receiveMessage();
    assertFalse(finished.outcome().success());
    assertEquals(500, finished.outcome().rc());
    assertEquals("https://fw/2.bin", device.getState().firmware().path("uri").asText());
  }

  @Test
  void anUnmanagedDeviceIsNotAskedAndARepeatedStartIsReportedAgain() {
    device.runCommand(new ManagedDeviceProtocol.Start("r2", "device/reboot", Map.of(), T0));
    assertEquals(409, outcomes.receiveMessage().outcome().rc());
    connection.expectNoMessage();

    var again =
        device.runCommand(new ManagedDeviceProtocol.Start("r2", "device/reboot", Map.of(), T0));

    assertTrue(again.hasNoEvents());
    assertEquals(409, outcomes.receiveMessage().outcome().rc());
    var mgmt =
        device.<Reply>runCommand(replyTo -> new ManagedDeviceProtocol.GetManagement(T0, replyTo));
    assertEquals(Rejection.NOT_FOUND, ((Reply.Rejected) mgmt.reply()).reason());
  }

  @Test
  void diagnosticsAreKeptBoundedAndSurviveRecovery() {
    for (int i = 0; i < ManagedDeviceState.MAX_DIAGNOSTICS + 5; i++) {
      DiagLog log = new DiagLog("l" + i, "message " + i, 1, null, T0);
      device.<Reply>runCommand(replyTo -> new ManagedDeviceProtocol.AddLog(log, replyTo));
    }
    device.restart();

    JsonNode logs =
        ((Reply.ManagementView)
                device.<Reply>runCommand(ManagedDeviceProtocol.GetLogs::new).reply())
            .body();
    assertEquals(ManagedDeviceState.MAX_DIAGNOSTICS, logs.size());
    assertEquals("message 5", logs.get(0).path("message").asText());

    device.<Reply>runCommand(ManagedDeviceProtocol.ClearLogs::new);
    assertTrue(device.getState().logs().isEmpty());
  }

  @Test
  void anAbandonedActionEndsWithTheRequestsOutcomeAndFreesTheDeviceForTheNextRequest()
      throws Exception {
    manage();
    device.runCommand(new ManagedDeviceProtocol.Start("t1", "firmware/update", Map.of(), T0));
    assertEquals("iotdm-1/observe", connection.receiveMessage().topic());
    respond("t1-observe_sent", 200);
    connection.receiveMessage(); // the initiation, which the device never answers

    var timedOut = new ManagedDeviceProtocol.ActionOutcome("t1", false, 408, "timed out", T0);
    device.runCommand(new ManagedDeviceProtocol.Abandon(timedOut));
    assertEquals(null, device.getState().action());
    assertEquals(timedOut, device.getState().lastOutcome());
    assertEquals("iotdm-1/cancel", connection.receiveMessage().topic());
    respond("t1", 202); // too late: nothing waits for it
    assertEquals(null, device.getState().action());

    device.runCommand(new ManagedDeviceProtocol.Abandon(timedOut)); // repeated: nothing changes
    device.runCommand(new ManagedDeviceProtocol.Start("t2", "device/reboot", Map.of(), T0));
    assertEquals("t2", device.getState().action().requestId());
    outcomes.expectNoMessage();
  }

  private void manage() {
    var result =
        device.<Reply>runCommand(
            replyTo ->
                new ManagedDeviceProtocol.Manage(
                    3600, true, true, null, null, T0, connection.getRef(), replyTo));
    assertEquals(new Reply.Done(), result.reply());
  }

  private void respond(String reqId, int rc) {
    var result =
        device.<Reply>runCommand(
            replyTo -> new ManagedDeviceProtocol.Respond(reqId, rc, null, T0, replyTo));
    assertEquals(new Reply.Done(), result.reply());
  }
}

package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared attributes and the downlink an integration device takes with its next uplink. */
class DeviceTwinAttributesTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "thermostat", "SN-001");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 10, Duration.ofMinutes(10));

  @RegisterExtension
  static final TwinTestSystem system = new TwinTestSystem("DeviceTwinAttributesTest");

  private static final ActorTestKit testKit = system.testKit();
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;

  @BeforeEach
  void registeredTwin() {
    twin = TwinFixture.registeredTwin(testKit, DEVICE, SETTINGS);
  }

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Reply set(String attributes) {
    return twin.<Reply>runCommand(
            replyTo -> new TwinCommand.SetAttributes(json(attributes), Instant.now(), replyTo))
        .reply();
  }

  private Reply.Downlink takeDownlink() {
    return assertInstanceOf(
        Reply.Downlink.class, twin.<Reply>runCommand(TwinCommand.TakeDownlink::new).reply());
  }

  @Test
  void mergesChangesAndShowsThemOnTheTwin() {
    set("{\"firmware\":\"v1\",\"interval\":60}");
    Reply reply = set("{\"interval\":30,\"firmware\":null,\"mode\":\"eco\"}");

    Reply.Attributes attributes = assertInstanceOf(Reply.Attributes.class, reply);
    assertEquals(json("{\"interval\":30,\"mode\":\"eco\"}"), attributes.values());
    assertEquals(2, attributes.version());
    Reply.DeviceInfo info =
        assertInstanceOf(
            Reply.DeviceInfo.class, twin.<Reply>runCommand(TwinCommand.Get::new).reply());
    assertEquals(json("{\"interval\":30,\"mode\":\"eco\"}"), info.attributes());
  }

  @Test
  void pendingChangesAreOneDownlinkUntilConfirmed() {
    set("{\"firmware\":\"v1\"}");
    set("{\"interval\":30}");

    Reply.Downlink downlink = takeDownlink();
    assertEquals(json("{\"firmware\":\"v1\",\"interval\":30}"), downlink.attributes());
    assertEquals(downlink, takeDownlink(), "taking does not consume; confirming does");

    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.ConfirmAttributesDelivered(
                downlink.attributesVersion(), Instant.now(), replyTo));
    Reply.Downlink after = takeDownlink();
    assertNull(after.attributes());
    assertNull(after.command());
  }

  @Test
  void aChangeDuringDeliveryStaysPending() {
    set("{\"firmware\":\"v1\"}");
    Reply.Downlink taken = takeDownlink();
    set("{\"firmware\":\"v2\"}");

    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.ConfirmAttributesDelivered(
                taken.attributesVersion(), Instant.now(), replyTo));

    assertEquals(json("{\"firmware\":\"v2\"}"), takeDownlink().attributes());
  }

  @Test
  void withoutAttributeChangesTheNextWaitingCommandIsTheDownlink() {
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.QueueCommand(
                "c-1",
                "reboot",
                "json",
                "{\"delay\":5}".getBytes(StandardCharsets.UTF_8),
                null,
                Instant.now(),
                replyTo));

    Reply.Downlink downlink = takeDownlink();
    assertNull(downlink.attributes());
    assertEquals("c-1", downlink.command().commandId());
    assertEquals("reboot", downlink.command().command());
  }

  private void desire(String document) {
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.ChangeDesiredState(
                json(document), false, null, Instant.now(), replyTo));
  }

  private void confirmDelta(long version) {
    twin.<Reply>runCommand(replyTo -> new TwinCommand.ConfirmDeltaDelivered(version, replyTo));
  }

  @Test
  void theStateDeltaIsADownlinkOncePerVersionAfterAttributesAndBeforeCommands() {
    set("{\"firmware\":\"v1\"}");
    desire("{\"interval\":15}");
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.QueueCommand(
                "c-1", "reboot", "json", new byte[0], null, Instant.now(), replyTo));

    Reply.Downlink first = takeDownlink();
    assertEquals(json("{\"firmware\":\"v1\"}"), first.attributes());
    assertNull(first.delta());
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.ConfirmAttributesDelivered(
                first.attributesVersion(), Instant.now(), replyTo));

    Reply.Downlink second = takeDownlink();
    assertNull(second.attributes());
    assertEquals(1, second.delta().version());
    assertEquals(json("{\"interval\":15}"), second.delta().delta());
    assertEquals(second, takeDownlink(), "taking does not consume; confirming does");
    confirmDelta(1);

    Reply.Downlink third = takeDownlink();
    assertNull(third.delta(), "version 1 was handed");
    assertEquals("c-1", third.command().commandId());

    desire("{\"mode\":\"eco\"}");
    Reply.Downlink fourth = takeDownlink();
    assertEquals(2, fourth.delta().version());
    assertEquals(json("{\"interval\":15,\"mode\":\"eco\"}"), fourth.delta().delta());
  }

  @Test
  void anEmptyDeltaIsNoDownlink() {
    desire("{\"interval\":15}");
    String verified = twin.getState().registration().secretHash();
    Reply reported =
        twin.<Reply>runCommand(
                replyTo ->
                    new TwinCommand.PatchReportedState(
                        TwinFixture.TOKEN,
                        verified,
                        json("{\"interval\":15}"),
                        null,
                        Instant.now(),
                        replyTo))
            .reply();
    assertEquals(2, assertInstanceOf(Reply.StateView.class, reported).version());

    assertTrue(takeDownlink().nothingWaits());
  }

  @Test
  void attributesSurviveARestart() {
    set("{\"firmware\":\"v1\"}");
    twin.restart();

    Reply reply = twin.<Reply>runCommand(TwinCommand.GetAttributes::new).reply();
    assertEquals(json("{\"firmware\":\"v1\"}"), ((Reply.Attributes) reply).values());
    assertEquals(json("{\"firmware\":\"v1\"}"), takeDownlink().attributes());
  }

  @Test
  void refusesMoreThanTheAttributeLimit() {
    ObjectNode many = JSON.createObjectNode();
    for (int i = 0; i <= SharedAttributes.MAX_ATTRIBUTES; i++) {
      many.put("a" + i, i);
    }
    Reply reply =
        twin.<Reply>runCommand(
                replyTo -> new TwinCommand.SetAttributes(many, Instant.now(), replyTo))
            .reply();
    assertEquals(Rejection.LIMIT_EXCEEDED, assertInstanceOf(Reply.Rejected.class, reply).reason());
  }

  @Test
  void anUnregisteredDeviceHasNoAttributes() {
    EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> unregistered =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            DeviceTwin.create(
                new DeviceKey("myorg", "thermostat", "ghost").entityId(),
                SETTINGS,
                new VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 100)));
    Reply reply =
        unregistered
            .<Reply>runCommand(
                replyTo -> new TwinCommand.SetAttributes(json("{\"a\":1}"), Instant.now(), replyTo))
            .reply();
    assertEquals(Rejection.NOT_FOUND, assertInstanceOf(Reply.Rejected.class, reply).reason());
    assertTrue(unregistered.getState().attributes().values().isEmpty());
  }
}

package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device joins and leaves a gateway's resource group (IBM's gateway access control, ADR 0074)
 * through its {@code via}: the one grant every path a gateway acts on checks.
 */
class DeviceTwinResourceGroupTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "sensor", "4712");
  private static final DeviceKey GATEWAY = new DeviceKey("myorg", "gateway", "gw-1");
  private static final DeviceKey OTHER_GATEWAY = new DeviceKey("myorg", "gateway", "gw-2");
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 10, Duration.ofMinutes(10), Duration.ofMinutes(5));

  @RegisterExtension
  static final TwinTestSystem system = new TwinTestSystem("DeviceTwinResourceGroupTest");

  private static final ActorTestKit testKit = system.testKit();

  private final List<Map.Entry<DeviceKey, TwinCommand>> toldTwins = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;

  @BeforeEach
  void registeredTwin() {
    twin =
        TwinFixture.registeredTwin(
            testKit,
            DEVICE,
            SETTINGS,
            message -> {},
            (key, command) -> toldTwins.add(Map.entry(key, command)));
  }

  @Test
  void joiningAddsTheGatewayToViaTellsItAndMayThenSendForTheDevice() {
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.SetGateways(List.of(OTHER_GATEWAY), at(), replyTo));
    toldTwins.clear();

    var joined = change(GATEWAY, true);

    assertEquals(new Reply.Done(), joined.reply());
    assertEquals(
        List.of(OTHER_GATEWAY, GATEWAY), joined.eventOfType(TwinEvent.GatewaysSet.class).via());
    assertEquals(1, toldTwins.size());
    assertEquals(GATEWAY, toldTwins.get(0).getKey());
    assertEquals(new TwinCommand.ActFor(DEVICE, true, at()), toldTwins.get(0).getValue());
    assertEquals(new Reply.Done(), twin.<Reply>runCommand(this::checkSender).reply());
    assertEquals(
        new Reply.GatewayLinks(List.of(OTHER_GATEWAY, GATEWAY), List.of()),
        twin.<Reply>runCommand(TwinCommand.GetGatewayLinks::new).reply());
  }

  @Test
  void leavingTakesTheGatewayOutAndItIsRefusedAfterwards() {
    change(GATEWAY, true);

    var left = change(GATEWAY, false);

    assertEquals(List.of(), left.eventOfType(TwinEvent.GatewaysSet.class).via());
    Reply refused = twin.<Reply>runCommand(this::checkSender).reply();
    assertEquals(Rejection.FORBIDDEN, assertInstanceOf(Reply.Rejected.class, refused).reason());
  }

  @Test
  void aChangeThatChangesNothingPersistsNothingAndSurvivesRecovery() {
    change(GATEWAY, true);

    assertTrue(change(GATEWAY, true).hasNoEvents());
    assertTrue(change(OTHER_GATEWAY, false).hasNoEvents());
    twin.restart();
    assertEquals(List.of(GATEWAY), twin.getState().via());
  }

  @Test
  void anUnregisteredDeviceJoinsNothing() {
    var unregistered =
        EventSourcedBehaviorTestKit.<TwinCommand, TwinEvent, TwinState>create(
            testKit.system(),
            DeviceTwin.create(
                new DeviceKey("myorg", "sensor", "nobody").entityId(),
                SETTINGS,
                new VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 100)));

    var result =
        unregistered.<Reply>runCommand(
            replyTo -> new TwinCommand.ChangeGateway(GATEWAY, true, at(), replyTo));

    assertEquals(
        Rejection.NOT_FOUND, assertInstanceOf(Reply.Rejected.class, result.reply()).reason());
    assertTrue(result.hasNoEvents());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      change(DeviceKey gateway, boolean joined) {
    return twin.runCommand(
        replyTo -> new TwinCommand.ChangeGateway(gateway, joined, at(), replyTo));
  }

  private TwinCommand checkSender(org.apache.pekko.actor.typed.ActorRef<Reply> replyTo) {
    return new TwinCommand.CheckSender(GATEWAY, replyTo);
  }

  private static Instant at() {
    return Instant.parse("2026-12-07T19:00:00Z");
  }
}

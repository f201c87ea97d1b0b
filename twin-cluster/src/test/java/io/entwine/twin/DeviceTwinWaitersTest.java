package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The twin as the rendezvous of commands: requests waiting for one (Hono hono-ttd), applications
 * waiting for a response, gateways; and the edge-verified events of Hono and Tencent.
 */
class DeviceTwinWaitersTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "sensor", "4712");
  private static final DeviceKey GATEWAY = new DeviceKey("myorg", "gateway", "gw-1");
  private static final DeviceKey BEHIND = new DeviceKey("myorg", "sensor", "behind-1");
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 10, Duration.ofMinutes(10), Duration.ofMinutes(5));
  private static final byte[] PAYLOAD = "{\"brightness\":87}".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension
  static final TwinTestSystem system = new TwinTestSystem("DeviceTwinWaitersTest");

  private static final ActorTestKit testKit = system.testKit();

  private final List<Map.Entry<DeviceKey, TwinCommand>> toldTwins = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;
  private TestProbe<Reply> waiting;

  @BeforeEach
  void registeredTwin() {
    twin =
        TwinFixture.registeredTwin(
            testKit,
            DEVICE,
            SETTINGS,
            message -> {},
            (key, command) -> toldTwins.add(Map.entry(key, command)));
    waiting = testKit.createTestProbe();
  }

  @Test
  void aWaitingRequestGetsAQueuedCommandAtOnceRecordedAsDelivered() {
    queue("c-1");

    var result =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), replyTo));

    Reply.CommandToDeliver command = assertInstanceOf(Reply.CommandToDeliver.class, result.reply());
    assertEquals("c-1", command.commandId());
    assertEquals(DEVICE, command.target());
    assertEquals("c-1", result.eventOfType(TwinEvent.CommandDelivered.class).commandId());
  }

  @Test
  void aCommandQueuedWhileARequestWaitsGoesToItInTheSameWrite() {
    twin.runCommand(new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), waiting.ref()));

    var queued = queue("c-1");

    assertEquals(new Reply.CommandAccepted("c-1"), queued.reply());
    assertEquals(2, queued.events().size(), "queued and delivered together");
    assertInstanceOf(TwinEvent.CommandDelivered.class, queued.events().get(1));
    assertEquals(
        "c-1",
        assertInstanceOf(Reply.CommandToDeliver.class, waiting.receiveMessage()).commandId());
  }

  @Test
  void theLastOfConcurrentRequestsGetsTheCommandAndTheEarlierOneNone() {
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.SetGateways(List.of(GATEWAY), Instant.now(), replyTo));
    TestProbe<Reply> earlier = testKit.createTestProbe();
    twin.runCommand(new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), earlier.ref()));
    twin.runCommand(new TwinCommand.WaitForCommand("w-2", GATEWAY, inSeconds(10), waiting.ref()));
    assertInstanceOf(Reply.NoCommand.class, earlier.receiveMessage());

    queue("c-1");

    Reply.CommandToDeliver command =
        assertInstanceOf(Reply.CommandToDeliver.class, waiting.receiveMessage());
    assertEquals(DEVICE, command.target(), "the gateway learns the device to execute it");
    earlier.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRenewedWaitIsLearnedOnceButNeverBroughtBackAfterItEnded() {
    twin.runCommand(new TwinCommand.RenewWait("w-1", null, inSeconds(10), waiting.ref()));
    twin.runCommand(new TwinCommand.RenewWait("w-1", null, inSeconds(10), waiting.ref()));
    queue("c-1");
    assertEquals(
        "c-1",
        assertInstanceOf(Reply.CommandToDeliver.class, waiting.receiveMessage()).commandId());
    waiting.expectNoMessage(Duration.ofMillis(100));

    // a renewal that was on its way while the wait got its command
    twin.runCommand(new TwinCommand.RenewWait("w-1", null, inSeconds(10), waiting.ref()));
    var queuedAfter = queue("c-2");

    waiting.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, queuedAfter.events().size(), "c-2 stays queued, not delivered");
  }

  @Test
  void aRenewalWhileAnotherRequestWaitsGetsNoCommand() {
    twin.runCommand(new TwinCommand.WaitForCommand("w-2", null, inSeconds(10), waiting.ref()));
    TestProbe<Reply> renewed = testKit.createTestProbe();

    twin.runCommand(new TwinCommand.RenewWait("w-1", null, inSeconds(10), renewed.ref()));
    queue("c-1");

    assertInstanceOf(Reply.NoCommand.class, renewed.receiveMessage());
    assertEquals(
        "c-1",
        assertInstanceOf(Reply.CommandToDeliver.class, waiting.receiveMessage()).commandId());
  }

  @Test
  void aGatewayNotInViaMayNotWaitOrSendForTheDevice() {
    var waited =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.WaitForCommand("w-1", GATEWAY, inSeconds(10), replyTo));
    var recorded =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.RecordVerifiedEvent(
                    "telemetry",
                    "json",
                    PAYLOAD,
                    Instant.now(),
                    Instant.now(),
                    GATEWAY,
                    null,
                    replyTo));

    assertEquals(Rejection.FORBIDDEN, rejection(waited.reply()));
    assertEquals(Rejection.FORBIDDEN, rejection(recorded.reply()));
    assertTrue(recorded.hasNoEvents());
  }

  @Test
  void stopWaitingEndsTheRequestWithoutACommand() {
    twin.runCommand(new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), waiting.ref()));
    twin.runCommand(new TwinCommand.StopWaiting("w-1", waiting.ref()));

    assertInstanceOf(Reply.NoCommand.class, waiting.receiveMessage());
    var queued = queue("c-1");
    assertEquals(1, queued.events().size(), "not delivered to the request that gave up");
  }

  @Test
  void aNewCommandIsOfferedToTheGatewaysWhenNobodyWaitsHere() {
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.SetGateways(List.of(GATEWAY), Instant.now(), replyTo));
    assertEquals(new TwinCommand.ActFor(DEVICE, true, lastActFor().at()), lastActFor());

    queue("c-1");

    TwinCommand.OfferCommand offer =
        assertInstanceOf(
            TwinCommand.OfferCommand.class, toldTwins.get(toldTwins.size() - 1).getValue());
    assertEquals(GATEWAY, toldTwins.get(toldTwins.size() - 1).getKey());
    assertEquals("c-1", offer.commandId());
    assertEquals(DEVICE, offer.target());
  }

  @Test
  void theApplicationWaitingForTheResponseGetsItAndTheResponseIsRecorded() {
    queue("c-1");
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), replyTo));
    twin.runCommand(new TwinCommand.AwaitCommandResponse("c-1", inSeconds(10), waiting.ref()));

    var responded = respond("c-1");

    assertEquals(new Reply.Done(), responded.reply());
    assertEquals(204, responded.eventOfType(TwinEvent.CommandResponded.class).status());
    Reply.CommandResponse response =
        assertInstanceOf(Reply.CommandResponse.class, waiting.receiveMessage());
    assertEquals(204, response.status());
    assertEquals(
        CommandQueue.Status.RESPONDED, responded.state().commands().commands().get(0).status());

    var late =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.AwaitCommandResponse("c-1", inSeconds(10), replyTo));
    assertEquals(204, assertInstanceOf(Reply.CommandResponse.class, late.reply()).status());
  }

  @Test
  void aResponseNobodyWaitsForIsRecordedAndAnsweredUnavailable() {
    queue("c-1");
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), replyTo));

    var responded = respond("c-1");
    assertEquals(Rejection.UNAVAILABLE, rejection(responded.reply()));
    assertEquals(1, responded.events().size());

    var again = respond("c-1");
    assertEquals(Rejection.UNAVAILABLE, rejection(again.reply()));
    assertTrue(again.hasNoEvents(), "a second response changes nothing");
    var unknown = respond("nope");
    assertTrue(unknown.hasNoEvents());
  }

  @Test
  void onlyTheReceiverOfACommandMayAnswerItAndARefusalChangesNothing() {
    queue("c-1");
    twin.runCommand(new TwinCommand.AwaitCommandResponse("c-1", inSeconds(10), waiting.ref()));

    var early = respond("c-1");

    assertEquals(Rejection.FORBIDDEN, rejection(early.reply()));
    assertTrue(early.hasNoEvents(), "a command nobody received is not answered");
    assertEquals(CommandQueue.Status.QUEUED, early.state().commands().commands().get(0).status());
    waiting.expectNoMessage(java.time.Duration.ofMillis(100));

    var delivered =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), replyTo));
    assertEquals(DEVICE, delivered.eventOfType(TwinEvent.CommandDelivered.class).receiver());

    assertEquals(new Reply.Done(), respond("c-1").reply());
    assertEquals(
        204, assertInstanceOf(Reply.CommandResponse.class, waiting.receiveMessage()).status());
  }

  @Test
  void aNonceIsRecordedWithTheEventAndRefusedWhenReplayed() {
    var first = recordWithNonce("n-1");
    assertEquals(new Reply.Done(), first.reply());
    assertEquals("n-1", first.eventOfType(TwinEvent.NonceUsed.class).nonce());

    twin.restart();
    var replay = recordWithNonce("n-1");
    assertEquals(Rejection.ALREADY_EXISTS, rejection(replay.reply()));
    assertTrue(replay.hasNoEvents());
  }

  @Test
  void aHashedPasswordCredentialAuthenticatesAndDisabledDevicesAreSaidSoOnlyAfterIt() {
    String hash = TwinFixture.HASHER.hash("hono-secret");
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.AddCredential(
                "hashed-password", "sensor1", hash, null, Instant.now(), replyTo));

    var unverified =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.AuthenticateCredential("sensor1", "hono-secret", null, replyTo));
    assertEquals(new Reply.NeedsVerification(hash), unverified.reply());
    var verified =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.AuthenticateCredential("sensor1", "hono-secret", hash, replyTo));
    assertEquals(new Reply.Done(), verified.reply());
    var unknown =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.AuthenticateCredential("other", "hono-secret", hash, replyTo));
    assertEquals(Rejection.UNAUTHORIZED, rejection(unknown.reply()));

    twin.<Reply>runCommand(replyTo -> new TwinCommand.Update(null, false, Instant.now(), replyTo));
    var disabled =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.AuthenticateCredential("sensor1", "hono-secret", null, replyTo));
    assertEquals(Rejection.DISABLED, rejection(disabled.reply()));
  }

  // ---- helpers ----

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      queue(String commandId) {
    return twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.QueueCommand(
                commandId, "set", "json", PAYLOAD, null, Instant.now(), replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      respond(String commandId) {
    return twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.RespondToCommand(
                commandId, 204, "bin", new byte[0], null, Instant.now(), replyTo));
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      recordWithNonce(String nonce) {
    return twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.RecordVerifiedEvent(
                "data", "text", PAYLOAD, Instant.now(), Instant.now(), null, nonce, replyTo));
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode json(String text) {
    try {
      return (com.fasterxml.jackson.databind.node.ObjectNode)
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private TwinCommand lastTold() {
    return toldTwins.get(toldTwins.size() - 1).getValue();
  }

  private void desire(String document) {
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.ChangeDesiredState(
                json(document), false, null, Instant.now(), replyTo));
  }

  @Test
  void aDesiredChangeIsOfferedToTheGatewaysOwnRequestsWhenTheDevicesOwnDoesNotWait() {
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.SetGateways(List.of(GATEWAY), Instant.now(), replyTo));

    desire("{\"interval\":15}");

    TwinCommand.OfferStateDelta offer =
        assertInstanceOf(TwinCommand.OfferStateDelta.class, lastTold());
    assertEquals(GATEWAY, toldTwins.get(toldTwins.size() - 1).getKey());
    assertEquals(
        new TwinCommand.OfferStateDelta(DEVICE, 1, json("{\"interval\":15}"), List.of()), offer);

    int told = toldTwins.size();
    twin.runCommand(new TwinCommand.OfferWaitingTo(GATEWAY));
    assertEquals(offer, lastTold(), "a gateway that starts waiting is offered it too");
    assertEquals(told + 1, toldTwins.size());

    twin.runCommand(new TwinCommand.ConfirmDeltaDelivered(1, null));
    twin.runCommand(new TwinCommand.OfferWaitingTo(GATEWAY));
    assertEquals(
        told + 1, toldTwins.size(), "a version handed through a gateway is not offered again");
  }

  @Test
  void aGatewaysOwnWaitingRequestTakesAnOfferedDeltaAndConfirmsIt() {
    twin.runCommand(new TwinCommand.WaitForCommand("w-1", null, inSeconds(10), waiting.ref()));
    var delta = json("{\"interval\":15}");

    twin.runCommand(new TwinCommand.OfferStateDelta(BEHIND, 3, delta, List.of(GATEWAY)));

    assertEquals(new Reply.StateDeltaToDeliver(BEHIND, 3, delta), waiting.receiveMessage());
    assertEquals(BEHIND, toldTwins.get(toldTwins.size() - 1).getKey());
    assertEquals(new TwinCommand.ConfirmDeltaDelivered(3, null), lastTold());

    twin.runCommand(new TwinCommand.OfferStateDelta(BEHIND, 4, delta, List.of(GATEWAY)));
    assertEquals(GATEWAY, toldTwins.get(toldTwins.size() - 1).getKey(), "passed on: none waits");
    assertEquals(new TwinCommand.OfferStateDelta(BEHIND, 4, delta, List.of()), lastTold());
  }

  /** A command of another device, offered to this twin as one of that device's gateways. */
  private static TwinCommand.OfferCommand offerFromBehind(String commandId, Instant expiresAt) {
    return new TwinCommand.OfferCommand(
        BEHIND, commandId, "set", "json", PAYLOAD, expiresAt, List.of());
  }

  private TwinCommand.ActFor lastActFor() {
    return toldTwins.stream()
        .map(Map.Entry::getValue)
        .filter(c -> c instanceof TwinCommand.ActFor)
        .map(c -> (TwinCommand.ActFor) c)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  private static Instant inSeconds(int seconds) {
    return Instant.now().plusSeconds(seconds);
  }

  private static Rejection rejection(Reply reply) {
    return assertInstanceOf(Reply.Rejected.class, reply).reason();
  }
}

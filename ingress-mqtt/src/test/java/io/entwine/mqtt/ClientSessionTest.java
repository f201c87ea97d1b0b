package io.entwine.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.protocol.Reply;
import io.entwine.testing.EventSourcedTestSystem;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster-wide session of a client id: takeover, persistent subscriptions, recovery. */
class ClientSessionTest {
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00.123Z");
  private static final ClusterLink.StoredSubscription COMMANDS =
      new ClusterLink.StoredSubscription("iot-2/cmd/+/fmt/json", 1);

  private static final OfflineBuffer.Limits LIMITS =
      new OfflineBuffer.Limits(5000, 16 << 20, Duration.ofHours(1));

  @RegisterExtension
  static final EventSourcedTestSystem testKit = new EventSourcedTestSystem("ClientSessionTest");

  private EventSourcedBehaviorTestKit<ClientSession.Command, ClientSessionEvent, ClientSessionState>
      session;
  private TestProbe<ClientSession.Control> first;
  private TestProbe<ClientSession.Control> second;

  @BeforeEach
  void newSession() {
    session =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), ClientSession.create("d:acme:thermostat:lab-1", LIMITS));
    session.clear();
    first = testKit.createTestProbe();
    second = testKit.createTestProbe();
  }

  private ClientSession.Claimed claim(TestProbe<ClientSession.Control> by, boolean clean) {
    return session
        .<ClientSession.Claimed>runCommand(
            replyTo -> new ClientSession.Claim(by.ref(), clean, AT, replyTo))
        .reply();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          ClientSession.Command, ClientSessionEvent, ClientSessionState, ClientSession.Claimed>
      claimed(TestProbe<ClientSession.Control> by, boolean clean) {
    return session.runCommand(replyTo -> new ClientSession.Claim(by.ref(), clean, AT, replyTo));
  }

  /** Another incarnation of the session under test, on the same journal, outside the testkit. */
  private static ActorRef<ClientSession.Command> incarnation(String name) {
    return testKit
        .system()
        .systemActorOf(
            ClientSession.create("d:acme:thermostat:lab-1", LIMITS), name, Props.empty());
  }

  private Reply subscribe(TestProbe<ClientSession.Control> by, ClusterLink.StoredSubscription s) {
    return session
        .<Reply>runCommand(
            replyTo -> new ClientSession.Subscribe(by.ref(), s.filter(), s.qos(), replyTo))
        .reply();
  }

  @Test
  void aSecondClaimTellsTheFirstConnectionToClose() {
    assertFalse(claim(first, true).sessionPresent());
    first.expectNoMessage();
    claim(second, true);
    assertEquals(new ClientSession.TakenOver(AT), first.receiveMessage());
    second.expectNoMessage();
  }

  @Test
  void aCleanClaimOverACleanSessionWritesNothing() {
    assertTrue(claimed(first, true).events().isEmpty());
    assertTrue(claimed(second, true).events().isEmpty());
    assertEquals(new ClientSession.TakenOver(AT), first.receiveMessage(), "known in memory");
    assertEquals(1, claimed(first, false).events().size(), "a persistent claim is written");
  }

  @Test
  void aStoppingSessionWritesTheCleanHolderItKeptInMemory() {
    TestProbe<ClientSession.Claimed> claims = testKit.createTestProbe();
    ActorRef<ClientSession.Command> incarnation = incarnation("stopping-session");
    incarnation.tell(new ClientSession.Claim(first.ref(), true, AT, claims.ref()));
    claims.receiveMessage();
    incarnation.tell(ClientSession.Passivate.INSTANCE);
    claims.expectTerminated(incarnation);

    session.restart();
    claim(second, true);
    assertEquals(new ClientSession.TakenOver(AT), first.receiveMessage(), "found after recovery");
  }

  @Test
  void keepsThePersistentSessionsSubscriptionsAcrossClaimsAndRecovery() {
    claim(first, false);
    assertEquals(new Reply.Done(), subscribe(first, COMMANDS));
    session.restart();

    ClientSession.Claimed resumed = claim(second, false);
    assertTrue(resumed.sessionPresent());
    assertEquals(List.of(COMMANDS), resumed.subscriptions());
    assertEquals(new ClientSession.TakenOver(AT), first.receiveMessage(), "found after recovery");
  }

  @Test
  void aCleanClaimDiscardsTheStoredSessionAndStoresNothing() {
    claim(first, false);
    subscribe(first, COMMANDS);
    ClientSession.Claimed clean = claim(second, true);
    assertFalse(clean.sessionPresent());
    assertTrue(clean.subscriptions().isEmpty());
    assertTrue(
        session
            .<Reply>runCommand(
                replyTo -> new ClientSession.Subscribe(second.ref(), COMMANDS.filter(), 1, replyTo))
            .events()
            .isEmpty());
    assertFalse(claim(first, false).sessionPresent(), "no persistent session was left");
  }

  @Test
  void ignoresSubscriptionsFromAConnectionThatWasTakenOver() {
    claim(first, false);
    claim(second, false);
    assertTrue(
        session
            .<Reply>runCommand(
                replyTo -> new ClientSession.Subscribe(first.ref(), COMMANDS.filter(), 1, replyTo))
            .events()
            .isEmpty());
    assertTrue(
        session
            .<Reply>runCommand(
                replyTo -> new ClientSession.Unsubscribe(second.ref(), COMMANDS.filter(), replyTo))
            .events()
            .isEmpty(),
        "nothing stored to remove");
  }

  @Test
  void messagesAndStateSurviveJacksonCbor() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    var replies = testKit.<Reply>createTestProbe().ref();
    var claims = testKit.<ClientSession.Claimed>createTestProbe().ref();
    for (Object message :
        List.of(
            new ClientSession.Claim(first.ref(), false, AT, claims),
            new ClientSession.Subscribe(first.ref(), "iot-2/cmd/+/fmt/+", 2, replies),
            new ClientSession.Unsubscribe(first.ref(), "iot-2/cmd/+/fmt/+", replies),
            new ClientSession.TakenOver(AT),
            ClientSession.Passivate.INSTANCE,
            new ClientSession.Claimed(true, List.of(COMMANDS)),
            new ClientSessionEvent.SessionClaimed(first.ref(), true, AT),
            new ClientSessionEvent.Subscribed("iot-2/cmd/+/fmt/+", 2),
            new ClientSessionEvent.Unsubscribed("iot-2/cmd/+/fmt/+"),
            new ClientSessionState(first.ref(), true, List.of(COMMANDS)))) {
      serialization.verifySerialization(message, true);
    }
  }

  /** Bytes as the code before ClientSessionEvent and ClientSessionState wrote them, same fields. */
  @Test
  void readsEventsAndSnapshotsWrittenWhileTheyWereNestedInClientSession() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Map<String, Object> written =
        Map.of(
            "io.entwine.mqtt.ClientSession$SessionClaimed",
            new ClientSessionEvent.SessionClaimed(first.ref(), false, AT),
            "io.entwine.mqtt.ClientSession$Subscribed",
            new ClientSessionEvent.Subscribed("iot-2/cmd/+/fmt/+", 2),
            "io.entwine.mqtt.ClientSession$Unsubscribed",
            new ClientSessionEvent.Unsubscribed("iot-2/cmd/+/fmt/+"),
            "io.entwine.mqtt.ClientSession$State",
            new ClientSessionState(first.ref(), true, List.of(COMMANDS)));
    written.forEach(
        (oldManifest, value) -> {
          Serializer serializer = serialization.findSerializerFor(value);
          byte[] bytes = serialization.serialize(value).get();
          assertEquals(
              value,
              serialization.deserialize(bytes, serializer.identifier(), oldManifest).get(),
              oldManifest);
        });
  }

  @Test
  void passivateStopsTheSessionAfterTheCommandsBeforeIt() {
    claim(first, false);
    subscribe(first, COMMANDS);
    TestProbe<ClientSession.Claimed> claims = testKit.createTestProbe();
    ActorRef<ClientSession.Command> incarnation = incarnation("passivated-session");

    incarnation.tell(new ClientSession.Claim(second.ref(), false, AT, claims.ref()));
    incarnation.tell(ClientSession.Passivate.INSTANCE);

    assertEquals(List.of(COMMANDS), claims.receiveMessage().subscriptions());
    claims.expectTerminated(incarnation);
  }

  @Test
  void aResumedApplicationSessionGetsWhatItsConnectionStillOwedFirst() {
    var app =
        EventSourcedBehaviorTestKit
            .<ClientSession.Command, ClientSessionEvent, ClientSessionState>create(
                testKit.system(), ClientSession.create("a:acme:dashboard", LIMITS));
    ClusterLink.StoredSubscription events =
        new ClusterLink.StoredSubscription("iot-2/type/+/id/+/evt/+/fmt/+", 1);
    app.<ClientSession.Claimed>runCommand(
        replyTo -> new ClientSession.Claim(first.ref(), false, AT, replyTo));
    app.<Reply>runCommand(
        replyTo ->
            new ClientSession.Subscribe(first.ref(), events.filter(), events.qos(), replyTo));
    ClusterLink.BufferedMessage owed =
        new ClusterLink.BufferedMessage(
            events.filter(), "iot-2/type/t/id/i/evt/e/fmt/json", new byte[] {1}, 1);
    app.runCommand(new ClientSession.Release(first.ref(), List.of(owed)));

    ClientSession.Claimed resumed =
        app.<ClientSession.Claimed>runCommand(
                replyTo -> new ClientSession.Claim(second.ref(), false, AT, replyTo))
            .reply();
    assertTrue(resumed.sessionPresent());
    assertEquals(new ClientSession.Backlog(List.of(owed)), second.receiveMessage());
  }

  @Test
  void aCleanClaimDropsWhatWasCollected() {
    var app =
        EventSourcedBehaviorTestKit
            .<ClientSession.Command, ClientSessionEvent, ClientSessionState>create(
                testKit.system(), ClientSession.create("a:acme:ops", LIMITS));
    app.<ClientSession.Claimed>runCommand(
        replyTo -> new ClientSession.Claim(first.ref(), false, AT, replyTo));
    app.<Reply>runCommand(
        replyTo -> new ClientSession.Subscribe(first.ref(), "iot-2/type/+/id/+/mon", 1, replyTo));
    app.runCommand(
        new ClientSession.Release(
            first.ref(),
            List.of(
                new ClusterLink.BufferedMessage(
                    "iot-2/type/+/id/+/mon", "iot-2/type/t/id/i/mon", new byte[] {1}, 1))));
    app.<ClientSession.Claimed>runCommand(
        replyTo -> new ClientSession.Claim(second.ref(), true, AT, replyTo));
    second.expectNoMessage();
  }
}

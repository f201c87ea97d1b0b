package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The twin's durable command queue: bounded, with a time to live, delivered to a session. */
class DeviceTwinCommandsTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "valve", "v-1");
  private static final int MAX_QUEUED = 3;
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, MAX_QUEUED, Duration.ofMinutes(10));
  private static final byte[] PAYLOAD = "{\"open\":true}".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension
  static final TwinTestSystem system = new TwinTestSystem("DeviceTwinCommandsTest");

  private static final ActorTestKit testKit = system.testKit();

  private final List<LiveMessage> published = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;
  private TestProbe<TwinCommand.ToDevice> session;

  @BeforeEach
  void registeredTwin() {
    twin =
        TwinFixture.registeredTwin(testKit, DEVICE, SETTINGS, published::add, (key, command) -> {});
    session = testKit.createTestProbe();
  }

  private TwinCommand.DeliverCommand delivered() {
    return (TwinCommand.DeliverCommand) session.receiveMessage();
  }

  @Test
  void queuedCommandIsPersistedAcceptedAndPublishedLive() {
    var result = queue("c-1", Duration.ofMinutes(1));

    assertEquals(new Reply.CommandAccepted("c-1"), result.reply());
    TwinEvent.CommandQueued queued = result.eventOfType(TwinEvent.CommandQueued.class);
    assertEquals("open", queued.command());
    assertEquals(queued.queuedAt().plus(Duration.ofMinutes(1)), queued.expiresAt());
    assertEquals(1, result.state().commands().waitingCount());
    LiveMessage.DeviceCommand live =
        assertInstanceOf(LiveMessage.DeviceCommand.class, published.get(0));
    assertEquals("c-1", live.commandId());
  }

  @Test
  void commandWithoutTimeToLiveGetsTheConfiguredOne() {
    TwinEvent.CommandQueued queued = queue("c-1", null).eventOfType(TwinEvent.CommandQueued.class);
    assertEquals(queued.queuedAt().plus(Duration.ofMinutes(10)), queued.expiresAt());
  }

  @Test
  void fullQueueRefusesWithLimitExceededAndPersistsNothing() {
    for (int i = 0; i < MAX_QUEUED; i++) {
      queue("c-" + i, Duration.ofMinutes(1));
    }
    var refused = queue("c-extra", Duration.ofMinutes(1));

    assertTrue(refused.hasNoEvents());
    assertEquals(
        Rejection.LIMIT_EXCEEDED, assertInstanceOf(Reply.Rejected.class, refused.reply()).reason());
  }

  @Test
  void repeatedCommandIdIsAcceptedOnce() {
    queue("c-1", Duration.ofMinutes(1));
    var again = queue("c-1", Duration.ofMinutes(1));

    assertTrue(again.hasNoEvents());
    assertEquals(new Reply.CommandAccepted("c-1"), again.reply());
    assertEquals(1, again.state().commands().waitingCount());
  }

  @Test
  void attachedSessionReceivesNewCommands() {
    attach(false);
    queue("c-1", Duration.ofMinutes(1));

    TwinCommand.DeliverCommand delivered = delivered();
    assertEquals("c-1", delivered.commandId());
    assertEquals(DEVICE, delivered.device());
  }

  @Test
  void persistentSessionReceivesCommandsThatWaitedAndConfirmationMarksThemDelivered() {
    queue("c-1", Duration.ofMinutes(1));
    queue("c-2", Duration.ofMinutes(1));

    attach(true);
    assertEquals("c-1", delivered().commandId());
    assertEquals("c-2", delivered().commandId());

    var confirmed =
        twin.<Reply>runCommand(replyTo -> new TwinCommand.ConfirmDelivered("c-1", now(), replyTo));
    assertEquals("c-1", confirmed.eventOfType(TwinEvent.CommandDelivered.class).commandId());
    assertEquals(1, confirmed.state().commands().waitingCount());

    var repeated =
        twin.<Reply>runCommand(replyTo -> new TwinCommand.ConfirmDelivered("c-1", now(), replyTo));
    assertTrue(repeated.hasNoEvents(), "a repeated acknowledgement changes nothing");
  }

  @Test
  void cleanSessionDoesNotReceiveCommandsThatWaited() {
    queue("c-1", Duration.ofMinutes(1));
    attach(false);
    session.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void expiredCommandsAreRecordedAsExpiredAndNeverDelivered() {
    Instant longAgo = now().minus(Duration.ofHours(2));
    queue("old", Duration.ofHours(1), longAgo);

    var attached =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.AttachSession(session.ref(), true, replyTo));

    assertEquals("old", attached.eventOfType(TwinEvent.CommandExpired.class).commandId());
    assertEquals(
        CommandQueue.Status.EXPIRED, attached.state().commands().commands().get(0).status());
    session.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void queueingExpiresOverdueCommandsFirstSoTheyDoNotCountAgainstTheLimit() {
    Instant start = now();
    for (int i = 0; i < MAX_QUEUED; i++) {
      queue("old-" + i, Duration.ofMinutes(1), start);
    }

    var result = queue("fresh", Duration.ofMinutes(5), start.plus(Duration.ofMinutes(2)));

    assertEquals(new Reply.CommandAccepted("fresh"), result.reply());
    assertEquals(
        MAX_QUEUED,
        result.events().stream().filter(e -> e instanceof TwinEvent.CommandExpired).count());
    assertEquals(1, result.state().commands().waitingCount());
  }

  @Test
  void detachedSessionGetsNoMoreCommands() {
    attach(false);
    twin.<Reply>runCommand(replyTo -> new TwinCommand.DetachSession(session.ref(), replyTo));
    queue("c-1", Duration.ofMinutes(1));
    session.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void queueSurvivesRestart() {
    queue("c-1", Duration.ofMinutes(1));
    twin.restart();
    assertEquals(1, twin.getState().commands().waitingCount());
  }

  @Test
  void unregisteredDeviceTakesNoCommands() {
    var other =
        EventSourcedBehaviorTestKit.<TwinCommand, TwinEvent, TwinState>create(
            testKit.system(),
            DeviceTwin.create(
                "myorg/valve/ghost",
                SETTINGS,
                new VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 1)));
    var result =
        other.<Reply>runCommand(
            replyTo ->
                new TwinCommand.QueueCommand("c", "open", "json", PAYLOAD, null, now(), replyTo));
    assertEquals(
        Rejection.NOT_FOUND, assertInstanceOf(Reply.Rejected.class, result.reply()).reason());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      queue(String commandId, Duration timeToLive) {
    return queue(commandId, timeToLive, now());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          TwinCommand, TwinEvent, TwinState, Reply>
      queue(String commandId, Duration timeToLive, Instant at) {
    return twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.QueueCommand(
                commandId, "open", "json", PAYLOAD, timeToLive, at, replyTo));
  }

  private void attach(boolean deliverWaiting) {
    twin.<Reply>runCommand(
        replyTo -> new TwinCommand.AttachSession(session.ref(), deliverWaiting, replyTo));
  }

  private static Instant now() {
    return Instant.now();
  }
}

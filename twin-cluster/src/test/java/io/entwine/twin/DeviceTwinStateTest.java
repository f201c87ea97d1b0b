package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The twin's state document: reported, desired, delta, versions and conditional writes. */
class DeviceTwinStateTest {
  private static final DeviceKey DEVICE = new DeviceKey("myorg", "thermostat", "SN-001");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TwinSettings SETTINGS =
      new TwinSettings(100, 2, 100, 10, Duration.ofMinutes(10));
  private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> twin;
  private final List<LiveMessage> live = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startSystem() {
    testKit = TwinFixture.startSystem("DeviceTwinStateTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void registeredTwin() {
    twin = TwinFixture.registeredTwin(testKit, DEVICE, SETTINGS, live::add, (key, c) -> {});
  }

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private CommandResultWithReply<TwinCommand, TwinEvent, TwinState, Reply> desire(
      String document, boolean replace, Long expectedVersion, Instant at) {
    return twin.runCommand(
        replyTo ->
            new TwinCommand.ChangeDesiredState(
                json(document), replace, expectedVersion, at, replyTo));
  }

  private CommandResultWithReply<TwinCommand, TwinEvent, TwinState, Reply> report(
      String patch, Instant at) {
    String verified = twin.getState().registration().secretHash();
    return twin.runCommand(
        replyTo ->
            new TwinCommand.PatchReportedState(
                TwinFixture.TOKEN, verified, json(patch), null, at, replyTo));
  }

  /** A Hono request waiting for a command: its reply at once, if it got one. */
  private Reply waitForCommand(String waiterId) {
    return twin.<Reply>runCommand(replyTo -> waitingAt(waiterId, replyTo)).reply();
  }

  private static TwinCommand waitingAt(String waiterId, ActorRef<Reply> replyTo) {
    return new TwinCommand.WaitForCommand(waiterId, null, Instant.now().plusSeconds(30), replyTo);
  }

  private Reply.StateView state() {
    return assertInstanceOf(
        Reply.StateView.class, twin.<Reply>runCommand(TwinCommand.GetState::new).reply());
  }

  @Test
  void aTwinWithoutStateHoldsNoDocumentAndShowsAnEmptyOne() {
    assertNull(twin.getState().stateDocument());
    Reply.StateView state = state();
    assertEquals(0, state.version());
    assertEquals(json("{}"), state.reported());
    assertEquals(json("{}"), state.delta());
  }

  @Test
  void theWalkthroughDesiredThenReportedLeavesNoDelta() {
    Reply.StateView desired =
        assertInstanceOf(Reply.StateView.class, desire("{\"interval\":15}", false, 0L, T0).reply());
    assertEquals(1, desired.version());
    assertEquals(json("{\"interval\":15}"), desired.delta());

    Reply again = desire("{\"interval\":15}", false, 0L, T0).reply();
    assertEquals(new Reply.StateVersionMismatch(0, 1), again);

    var reported = report("{\"interval\":15}", T0.plusSeconds(5));
    assertInstanceOf(TwinEvent.ReportedStatePatched.class, reported.event());
    Reply.StateView after = state();
    assertEquals(2, after.version());
    assertEquals(json("{}"), after.delta());
    assertEquals(
        json("{\"reported\":{\"interval\":{\"timestamp\":"
                + T0.plusSeconds(5).getEpochSecond()
                + "}},\"desired\":{\"interval\":{\"timestamp\":"
                + T0.getEpochSecond()
                + "}}}")
            .toString(),
        after.metadata().toString());
  }

  @Test
  void theDeltaIsDeepAndComparesArraysWhole() {
    report("{\"net\":{\"ssid\":\"lab\",\"channels\":[1,6]},\"temp\":21}", T0);
    desire("{\"net\":{\"ssid\":\"lab\",\"channels\":[1,6,11]},\"interval\":15.0}", false, null, T0);
    report("{\"interval\":15}", T0);

    assertEquals(json("{\"net\":{\"channels\":[1,6,11]}}"), state().delta());
  }

  @Test
  void nullRemovesAKeyAndPutReplacesTheWholeDesiredState() {
    desire("{\"interval\":15,\"mode\":\"eco\",\"led\":{\"on\":true}}", false, null, T0);
    desire("{\"mode\":null}", false, null, T0);
    assertEquals(json("{\"interval\":15,\"led\":{\"on\":true}}"), state().desired());

    Reply.StateView replaced =
        assertInstanceOf(Reply.StateView.class, desire("{\"led\":{}}", true, 2L, T0).reply());
    assertEquals(json("{\"led\":{}}"), replaced.desired());
    assertEquals(3, replaced.version());
  }

  @Test
  void aWriteThatChangesNothingPersistsNothingAndKeepsTheVersion() {
    desire("{\"interval\":15}", false, null, T0);

    var same = desire("{\"interval\":15.0}", false, 1L, T0.plusSeconds(9));
    assertTrue(same.hasNoEvents());
    assertEquals(1, ((Reply.StateView) same.reply()).version());
    assertTrue(report("{\"gone\":null}", T0).hasNoEvents());
  }

  @Test
  void aDocumentTooDeepOrTooLargeIsRefusedAndChangesNothing() {
    var tooDeep =
        desire(
            "{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":{\"8\":{\"9\":1}}}}}}}}}",
            false,
            null,
            T0);
    assertEquals(Rejection.INVALID, ((Reply.Rejected) tooDeep.reply()).reason());
    assertTrue(((Reply.Rejected) tooDeep.reply()).message().contains("at most 8 levels"));
    assertTrue(tooDeep.hasNoEvents());
    assertInstanceOf(
        Reply.StateView.class,
        desire("{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":{\"8\":1}}}}}}}}", false, null, T0)
            .reply());

    String half = "x".repeat(StateDocument.MAX_BYTES / 2);
    desire("{\"a\":\"" + half + "\"}", false, null, T0);
    var tooLarge = desire("{\"b\":\"" + half + "\"}", false, null, T0);
    assertEquals(Rejection.TOO_LARGE, ((Reply.Rejected) tooLarge.reply()).reason());
    assertTrue(((Reply.Rejected) tooLarge.reply()).message().contains("32768 bytes"));
    assertTrue(tooLarge.hasNoEvents());
    assertEquals(2, state().version());
  }

  @Test
  void aDeviceWithAWrongTokenPatchesNothing() {
    String verified = twin.getState().registration().secretHash();
    var wrong =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.PatchReportedState(
                    "wrong-token", null, json("{\"temp\":1}"), null, T0, replyTo));
    assertInstanceOf(Reply.NeedsVerification.class, wrong.reply());
    assertTrue(wrong.hasNoEvents());

    var device =
        twin.<Reply>runCommand(
            replyTo -> new TwinCommand.GetDeviceState(TwinFixture.TOKEN, verified, replyTo));
    assertEquals(0, ((Reply.StateView) device.reply()).version());
  }

  @Test
  void anUnregisteredTwinHasNoStateToChange() {
    EventSourcedBehaviorTestKit<TwinCommand, TwinEvent, TwinState> unregistered =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            DeviceTwin.create(
                new DeviceKey("myorg", "thermostat", "nobody").entityId(),
                SETTINGS,
                new io.entwine.credentials.VerifiedSecrets(TwinFixture.HASHER, Runnable::run, 10)));
    var result =
        unregistered.<Reply>runCommand(
            replyTo ->
                new TwinCommand.ChangeDesiredState(json("{\"a\":1}"), false, null, T0, replyTo));
    assertEquals(Rejection.NOT_FOUND, ((Reply.Rejected) result.reply()).reason());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void everyChangeIsPublishedLiveWithItsDelta() {
    desire("{\"interval\":15}", false, null, T0);

    LiveMessage.DeviceStateChanged changed =
        assertInstanceOf(LiveMessage.DeviceStateChanged.class, live.get(live.size() - 1));
    assertEquals("desired", changed.change());
    assertEquals(1, changed.version());
    assertEquals(json("{\"interval\":15}"), changed.delta());
    assertEquals(DEVICE.id(), changed.id());
  }

  @Test
  void aRequestWaitingForACommandGetsEachVersionsDeltaOnce() {
    desire("{\"interval\":15}", false, null, T0);

    Reply waitedFirst = waitForCommand("w-1");
    assertEquals(new Reply.StateDeltaToDeliver(DEVICE, 1, json("{\"interval\":15}")), waitedFirst);

    // the same version again: the next request waits instead
    TestProbe<Reply> waiting = testKit.createTestProbe();
    twin.runCommand(waitingAt("w-2", waiting.ref()));
    waiting.expectNoMessage(Duration.ofMillis(200));

    desire("{\"mode\":\"eco\"}", false, null, T0);
    assertEquals(
        new Reply.StateDeltaToDeliver(DEVICE, 2, json("{\"interval\":15,\"mode\":\"eco\"}")),
        waiting.receiveMessage());

    // the device confirms by reporting; an empty delta is handed to no one
    TestProbe<Reply> afterReport = testKit.createTestProbe();
    twin.runCommand(waitingAt("w-3", afterReport.ref()));
    report("{\"interval\":15,\"mode\":\"eco\"}", T0);
    afterReport.expectNoMessage(Duration.ofMillis(200));
    assertTrue(state().delta().isEmpty());
  }

  @Test
  void aQueuedCommandGoesBeforeTheDelta() {
    desire("{\"interval\":15}", false, null, T0);
    twin.<Reply>runCommand(
        replyTo ->
            new TwinCommand.QueueCommand(
                "c-1", "reboot", "json", new byte[0], null, Instant.now(), replyTo));

    Reply first = waitForCommand("w-1");
    Reply second = waitForCommand("w-2");

    assertEquals("c-1", assertInstanceOf(Reply.CommandToDeliver.class, first).commandId());
    assertEquals(1, assertInstanceOf(Reply.StateDeltaToDeliver.class, second).version());
  }

  @Test
  void theAttachedSessionGetsEveryVersionWhoseDeltaIsNotEmpty() {
    TestProbe<TwinCommand.ToDevice> session = testKit.createTestProbe();
    twin.<Reply>runCommand(replyTo -> new TwinCommand.AttachSession(session.ref(), false, replyTo));

    desire("{\"interval\":15,\"mode\":\"eco\"}", false, null, T0);
    TwinCommand.DeliverStateDelta first =
        session.expectMessageClass(TwinCommand.DeliverStateDelta.class);
    assertEquals(1, first.version());
    assertEquals(json("{\"interval\":15,\"mode\":\"eco\"}"), first.delta());

    report("{\"interval\":15}", T0);
    assertEquals(
        json("{\"mode\":\"eco\"}"),
        session.expectMessageClass(TwinCommand.DeliverStateDelta.class).delta());
    report("{\"mode\":\"eco\"}", T0);
    session.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void objectsOfRecordedEventsMergeInOrderLeavingOutWhatIsRefused() {
    var merged =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.MergeReportedFromEvents(
                    List.of(
                        json("{\"temp\":21}"),
                        json(
                            "{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":{\"8\":{\"9\":1}}}}}}}}}"),
                        json("{\"temp\":21}"),
                        json("{\"temp\":22,\"rssi\":-70}")),
                    T0,
                    replyTo));

    assertEquals(new Reply.Done(), merged.reply());
    assertEquals(2, merged.events().size(), "the too deep and the unchanging one persist nothing");
    assertEquals(json("{\"temp\":22,\"rssi\":-70}"), state().reported());
    assertEquals(2, state().version());
  }

  @Test
  void queuedReportedPatchesApplyInOrderInOneWriteRefusingOnlyTheBadOne() {
    String verified = twin.getState().registration().secretHash();
    var patched =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.PatchReportedStates(
                    TwinFixture.TOKEN,
                    verified,
                    List.of(
                        json("{\"temp\":21}"),
                        json(
                            "{\"1\":{\"2\":{\"3\":{\"4\":{\"5\":{\"6\":{\"7\":{\"8\":{\"9\":1}}}}}}}}}"),
                        json("{\"temp\":21}"),
                        json("{\"temp\":null,\"rssi\":-70}")),
                    T0,
                    replyTo));

    Reply.ReportedPatchesApplied outcome =
        assertInstanceOf(Reply.ReportedPatchesApplied.class, patched.reply());
    assertEquals(4, outcome.refusals().size());
    assertNull(outcome.refusals().get(0));
    assertEquals(Rejection.INVALID, outcome.refusals().get(1).reason());
    assertNull(outcome.refusals().get(2), "a patch that changes nothing is no refusal");
    assertNull(outcome.refusals().get(3));
    assertEquals(2, patched.events().size(), "the refused and the unchanging one persist nothing");
    assertEquals(json("{\"rssi\":-70}"), state().reported());
    assertEquals(2, state().version());
  }

  @Test
  void queuedReportedPatchesWaitForTheTokenCheckLikeOnePatch() {
    var patched =
        twin.<Reply>runCommand(
            replyTo ->
                new TwinCommand.PatchReportedStates(
                    "not-verified-yet", null, List.of(json("{\"temp\":21}")), T0, replyTo));

    assertInstanceOf(Reply.NeedsVerification.class, patched.reply());
    assertTrue(patched.events().isEmpty());
    assertEquals(0, state().version());
  }

  @Test
  void stateVersionAndTimesSurviveARestart() {
    desire("{\"interval\":15}", false, null, T0);
    report("{\"interval\":10,\"temp\":21.5}", T0.plusSeconds(1));
    Reply.StateView before = state();

    twin.restart();

    assertEquals(before, state());
    assertEquals(2, state().version());
  }

  @Test
  void deletingTheDeviceForgetsItsState() {
    desire("{\"interval\":15}", false, null, T0);
    twin.<Reply>runCommand(replyTo -> new TwinCommand.Delete(T0, replyTo));

    assertSame(TwinState.EMPTY, twin.getState());
  }
}

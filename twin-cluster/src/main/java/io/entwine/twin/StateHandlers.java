package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.ChangeDesiredState;
import io.entwine.twin.TwinCommand.DeliverStateDelta;
import io.entwine.twin.TwinCommand.GetDeviceState;
import io.entwine.twin.TwinCommand.GetState;
import io.entwine.twin.TwinCommand.MergeReportedFromEvents;
import io.entwine.twin.TwinCommand.PatchReportedState;
import io.entwine.twin.TwinCommand.PatchReportedStates;
import io.entwine.twin.TwinEvent.DesiredStatePatched;
import io.entwine.twin.TwinEvent.DesiredStateReplaced;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The twin's state document ({@link StateDocument}): applications read it and change the desired
 * state, the device reads it and patches its reported state. A write may name the version it
 * expects (HTTP If-Match); a write that changes nothing is answered and persists nothing; a refused
 * one changes nothing. Every change is handed to live subscribers after the persist, and its delta
 * to the device's attached MQTT session and its waiting Hono request.
 */
final class StateHandlers {
  private StateHandlers() {}

  static ReplyEffect<TwinEvent, TwinState> onGetState(
      DeviceTwin twin, TwinState state, GetState command) {
    return EFFECT.reply(
        command.replyTo(),
        state.isRegistered() ? StateDocument.of(state).view() : Replies.notFound(twin.device()));
  }

  /** Behind the token guard: the device is registered and enabled. */
  static ReplyEffect<TwinEvent, TwinState> onGetDeviceState(
      DeviceTwin twin, TwinState state, GetDeviceState command) {
    return EFFECT.reply(command.replyTo(), StateDocument.of(state).view());
  }

  static ReplyEffect<TwinEvent, TwinState> onChangeDesiredState(
      DeviceTwin twin, TwinState state, ChangeDesiredState command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    return change(
        twin,
        state,
        command.document(),
        command.expectedVersion(),
        command.replyTo(),
        current -> current.withDesired(command.document(), command.replace(), command.at()),
        version ->
            command.replace()
                ? new DesiredStateReplaced(command.document(), version, command.at())
                : new DesiredStatePatched(command.document(), version, command.at()),
        "desired");
  }

  /** Behind the token guard: the device is registered and enabled. */
  static ReplyEffect<TwinEvent, TwinState> onPatchReportedState(
      DeviceTwin twin, TwinState state, PatchReportedState command) {
    return change(
        twin,
        state,
        command.patch(),
        command.expectedVersion(),
        command.replyTo(),
        current -> current.withReported(command.patch(), command.at()),
        version -> new ReportedStatePatched(command.patch(), version, command.at(), false),
        "reported");
  }

  /**
   * Behind the token guard: a connection's queued reported patches, each checked as {@link
   * #onPatchReportedState} checks one, against the state the ones before it left; the changes are
   * persisted in one write and announced once, with the last version (as events' merges are).
   */
  static ReplyEffect<TwinEvent, TwinState> onPatchReportedStates(
      DeviceTwin twin, TwinState state, PatchReportedStates command) {
    StateDocument document = StateDocument.of(state);
    List<TwinEvent> events = new ArrayList<>();
    List<Reply.Rejected> refusals = new ArrayList<>(command.patches().size());
    for (ObjectNode patch : command.patches()) {
      Reply.Rejected refusal = null;
      Optional<String> tooDeep = StateDocument.checkDepth(patch);
      Optional<StateDocument> changed =
          tooDeep.isPresent() ? Optional.empty() : document.withReported(patch, command.at());
      Optional<String> tooLarge = changed.flatMap(StateDocument::checkSize);
      if (tooDeep.isPresent()) {
        refusal = new Reply.Rejected(Rejection.INVALID, tooDeep.get());
      } else if (tooLarge.isPresent()) {
        refusal = new Reply.Rejected(Rejection.TOO_LARGE, tooLarge.get());
      } else if (changed.isPresent()) {
        document = changed.get();
        events.add(new ReportedStatePatched(patch, document.version(), command.at(), false));
      }
      refusals.add(refusal);
    }
    Reply outcome = new Reply.ReportedPatchesApplied(refusals);
    if (events.isEmpty()) {
      return EFFECT.reply(command.replyTo(), outcome);
    }
    return EFFECT
        .persist(events)
        .thenRun(after -> announce(twin, "reported", after))
        .thenReply(command.replyTo(), after -> outcome);
  }

  /** Behind the enabled guard: the events were recorded, their objects now merge into reported. */
  static ReplyEffect<TwinEvent, TwinState> onMergeReportedFromEvents(
      DeviceTwin twin, TwinState state, MergeReportedFromEvents command) {
    StateDocument document = StateDocument.of(state);
    List<TwinEvent> events = new ArrayList<>();
    for (ObjectNode patch : command.patches()) {
      Optional<StateDocument> changed =
          StateDocument.checkDepth(patch).isPresent()
              ? Optional.empty()
              : document.withReported(patch, command.at());
      if (changed.isPresent() && changed.get().checkSize().isEmpty()) {
        document = changed.get();
        events.add(new ReportedStatePatched(patch, document.version(), command.at(), true));
      }
    }
    if (events.isEmpty()) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    return EFFECT
        .persist(events)
        .thenRun(after -> announce(twin, "reported", after))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /**
   * Checks the version and limits, then persists {@code event} of the new version, unless {@code
   * change} changes nothing; answers the state after it.
   */
  private static ReplyEffect<TwinEvent, TwinState> change(
      DeviceTwin twin,
      TwinState state,
      ObjectNode document,
      Long expectedVersion,
      ActorRef<Reply> replyTo,
      Function<StateDocument, Optional<StateDocument>> change,
      Function<Long, TwinEvent> event,
      String part) {
    StateDocument current = StateDocument.of(state);
    if (expectedVersion != null && expectedVersion != current.version()) {
      return EFFECT.reply(
          replyTo, new Reply.StateVersionMismatch(expectedVersion, current.version()));
    }
    Optional<String> tooDeep = StateDocument.checkDepth(document);
    if (tooDeep.isPresent()) {
      return EFFECT.reply(replyTo, new Reply.Rejected(Rejection.INVALID, tooDeep.get()));
    }
    Optional<StateDocument> changed = change.apply(current);
    if (changed.isEmpty()) {
      return EFFECT.reply(replyTo, current.view());
    }
    Optional<String> tooLarge = changed.get().checkSize();
    if (tooLarge.isPresent()) {
      return EFFECT.reply(replyTo, new Reply.Rejected(Rejection.TOO_LARGE, tooLarge.get()));
    }
    return EFFECT
        .persist(event.apply(changed.get().version()))
        .thenRun(after -> announce(twin, part, after))
        .thenReply(replyTo, after -> StateDocument.of(after).view());
  }

  /**
   * Hands the change to live subscribers (applications), and a delta that is not empty to the
   * device's attached session and to a request waiting for a command, its own or else a gateway's
   * (the paths its commands take).
   */
  private static void announce(DeviceTwin twin, String part, TwinState state) {
    StateDocument document = StateDocument.of(state);
    ObjectNode delta = document.delta();
    twin.publish(
        new LiveMessage.DeviceStateChanged(
            twin.device().org(),
            twin.device().type(),
            twin.device().id(),
            part,
            document.version(),
            document.reported(),
            document.desired(),
            delta));
    if (twin.session() != null && !delta.isEmpty()) {
      twin.session().tell(new DeliverStateDelta(twin.device(), document.version(), delta));
    }
    CommandWaitHandlers.handDeltaToWaiter(twin, state, document.version(), delta);
  }
}

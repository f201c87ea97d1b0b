package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.ConfirmAttributesDelivered;
import io.entwine.twin.TwinCommand.ConfirmDeltaDelivered;
import io.entwine.twin.TwinCommand.GetAttributes;
import io.entwine.twin.TwinCommand.SetAttributes;
import io.entwine.twin.TwinCommand.TakeDownlink;
import io.entwine.twin.TwinEvent.AttributesDelivered;
import io.entwine.twin.TwinEvent.AttributesUpdated;
import java.time.Instant;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The device's shared attributes (ThingsBoard's) and the downlink an integration hands the device
 * in its next response: attribute changes first, else the state delta at a version not handed yet
 * (as a Hono request gets it), else the next waiting command.
 */
final class AttributeHandlers {
  private AttributeHandlers() {}

  static ReplyEffect<TwinEvent, TwinState> onSetAttributes(
      DeviceTwin twin, TwinState state, SetAttributes command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    if (state.attributes().sizeAfter(command.attributes()) > SharedAttributes.MAX_ATTRIBUTES) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.LIMIT_EXCEEDED,
              "A device has at most " + SharedAttributes.MAX_ATTRIBUTES + " attributes"));
    }
    return EFFECT
        .persist(new AttributesUpdated(command.attributes(), command.at()))
        .thenReply(command.replyTo(), AttributeHandlers::attributes);
  }

  static ReplyEffect<TwinEvent, TwinState> onGetAttributes(
      DeviceTwin twin, TwinState state, GetAttributes command) {
    return EFFECT.reply(
        command.replyTo(),
        state.isRegistered() ? attributes(state) : Replies.notFound(twin.device()));
  }

  private static Reply.Attributes attributes(TwinState state) {
    return new Reply.Attributes(state.attributes().values(), state.attributes().version());
  }

  static ReplyEffect<TwinEvent, TwinState> onTakeDownlink(
      DeviceTwin twin, TwinState state, TakeDownlink command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    SharedAttributes attributes = state.attributes();
    if (!attributes.pending().isEmpty()) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Downlink(attributes.pending(), attributes.version(), null, null));
    }
    StateDocument document = StateDocument.of(state);
    ObjectNode delta = document.delta();
    if (!delta.isEmpty() && !twin.waiters().handedDelta(document.version())) {
      Reply.StateDeltaToDeliver toDeliver =
          new Reply.StateDeltaToDeliver(twin.device(), document.version(), delta);
      return EFFECT.reply(
          command.replyTo(), new Reply.Downlink(null, attributes.version(), toDeliver, null));
    }
    Reply.CommandToDeliver next =
        state
            .commands()
            .nextDeliverable(Instant.now())
            .map(waiting -> CommandQueueHandlers.toDeliver(twin, waiting))
            .orElse(null);
    return EFFECT.reply(
        command.replyTo(), new Reply.Downlink(null, attributes.version(), null, next));
  }

  /**
   * Like a Hono request's delta, a downlink's is remembered only by this incarnation of the twin: a
   * twin that restarts may hand its current version once more, and reporting it again changes
   * nothing.
   */
  static ReplyEffect<TwinEvent, TwinState> onConfirmDeltaDelivered(
      DeviceTwin twin, TwinState state, ConfirmDeltaDelivered command) {
    if (!twin.waiters().handedDelta(command.version())) {
      twin.waiters().deltaHanded(command.version());
    }
    return command.replyTo() == null
        ? EFFECT.noReply()
        : EFFECT.reply(command.replyTo(), new Reply.Done());
  }

  static ReplyEffect<TwinEvent, TwinState> onConfirmAttributesDelivered(
      DeviceTwin twin, TwinState state, ConfirmAttributesDelivered command) {
    if (state.attributes().pending().isEmpty()
        || command.version() != state.attributes().version()) {
      // Delivered already, or changed since: what is pending now goes out with the next uplink.
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    return EFFECT
        .persist(new AttributesDelivered(command.version(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }
}

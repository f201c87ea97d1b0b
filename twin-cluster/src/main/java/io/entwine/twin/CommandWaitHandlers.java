package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.DeliveredThroughGateway;
import io.entwine.twin.TwinCommand.OfferCommand;
import io.entwine.twin.TwinCommand.OfferStateDelta;
import io.entwine.twin.TwinCommand.OfferWaitingTo;
import io.entwine.twin.TwinCommand.RenewWait;
import io.entwine.twin.TwinCommand.StopWaiting;
import io.entwine.twin.TwinCommand.WaitForCommand;
import io.entwine.twin.TwinEvent.CommandDelivered;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * Requests that wait at the twin for a command (Hono {@code hono-ttd}): the device's own, a
 * gateway's for the device, and the commands twins offer each other so that a gateway's waiting
 * request, or its MQTT connection, also takes the commands of the devices it acts for. Of
 * concurrent requests for one device only the last waits. A request that finds no command gets the
 * twin's state delta instead, once per version (the device confirms it by reporting; nothing is
 * recorded); a gateway's own request also takes the deltas of the devices it acts for.
 */
final class CommandWaitHandlers {
  private CommandWaitHandlers() {}

  // ---- a request waiting with hono-ttd ----

  static ReplyEffect<TwinEvent, TwinState> onWaitForCommand(
      DeviceTwin twin, TwinState state, WaitForCommand command) {
    Reply refusal = Replies.refusalOfSender(twin.device(), state, command.gateway());
    if (refusal != null) {
      return EFFECT.reply(command.replyTo(), refusal);
    }
    Instant now = Instant.now();
    List<TwinEvent> events = new ArrayList<>(CommandQueueHandlers.expiries(state, now));
    Optional<CommandQueue.QueuedCommand> next = state.commands().nextDeliverable(now);
    if (next.isPresent()) {
      CommandQueue.QueuedCommand deliverable = next.get();
      events.add(
          new CommandDelivered(
              deliverable.commandId(),
              now,
              CommandQueueHandlers.receiver(twin, command.gateway())));
      return EFFECT
          .persist(events)
          .thenReply(command.replyTo(), after -> CommandQueueHandlers.toDeliver(twin, deliverable));
    }
    StateDocument document = StateDocument.of(state);
    Reply.StateDeltaToDeliver delta = handDelta(twin, document.version(), document.delta());
    if (delta != null) {
      return EFFECT.persist(events).thenReply(command.replyTo(), after -> delta);
    }
    CommandWaiters.Waiter replaced =
        twin.waiters()
            .replace(
                new CommandWaiters.Waiter(
                    command.waiterId(), command.gateway(), command.until(), command.replyTo()));
    if (replaced != null) {
      // The last of concurrent requests gets the command; the earlier one gets none.
      replaced.ref().tell(new Reply.NoCommand());
    }
    if (command.gateway() == null) {
      // A gateway's own request also takes the commands waiting for the devices it acts for.
      for (DeviceKey actedFor : state.actsFor()) {
        twin.tell(actedFor, new OfferWaitingTo(twin.device()));
      }
    }
    return EFFECT.persist(events).thenNoReply();
  }

  /**
   * Hands a new state version's delta to the request waiting now, if one waits, else offers it to
   * the gateways' own waiting requests (the paths its commands take); a version any request got
   * already is not handed again.
   */
  static void handDeltaToWaiter(DeviceTwin twin, TwinState state, long version, ObjectNode delta) {
    Instant now = Instant.now();
    if (twin.waiters().waitingAt(now)) {
      Reply.StateDeltaToDeliver handed = handDelta(twin, version, delta);
      if (handed != null) {
        twin.waiters().take(now).ref().tell(handed);
      }
      return;
    }
    offerDelta(twin, version, delta, CommandQueueHandlers.gatewaysInPreferenceOrder(twin, state));
  }

  /**
   * Offers the delta to the first of {@code gateways}, which passes it on when its own request does
   * not wait; the gateway that hands it on confirms it ({@link TwinCommand.ConfirmDeltaDelivered}).
   */
  private static void offerDelta(
      DeviceTwin twin, long version, ObjectNode delta, List<DeviceKey> gateways) {
    if (!gateways.isEmpty() && !delta.isEmpty() && !twin.waiters().handedDelta(version)) {
      twin.tell(
          gateways.get(0),
          new OfferStateDelta(twin.device(), version, delta, gateways.subList(1, gateways.size())));
    }
  }

  /** Another device's state delta, offered to this twin as one of that device's gateways. */
  static ReplyEffect<TwinEvent, TwinState> onOfferStateDelta(
      DeviceTwin twin, TwinState state, OfferStateDelta offer) {
    CommandWaiters.Waiter waiter = twin.waiters().takeForOffer(Instant.now());
    if (waiter != null) {
      waiter
          .ref()
          .tell(new Reply.StateDeltaToDeliver(offer.target(), offer.version(), offer.delta()));
      twin.tell(offer.target(), new TwinCommand.ConfirmDeltaDelivered(offer.version(), null));
    } else if (!offer.remaining().isEmpty()) {
      twin.tell(
          offer.remaining().get(0),
          new OfferStateDelta(
              offer.target(),
              offer.version(),
              offer.delta(),
              offer.remaining().subList(1, offer.remaining().size())));
    }
    return EFFECT.noReply();
  }

  /** The delta to hand a waiting request: null when empty or handed at this version already. */
  private static Reply.StateDeltaToDeliver handDelta(
      DeviceTwin twin, long version, ObjectNode delta) {
    if (delta.isEmpty() || twin.waiters().handedDelta(version)) {
      return null;
    }
    twin.waiters().deltaHanded(version);
    return new Reply.StateDeltaToDeliver(twin.device(), version, delta);
  }

  static ReplyEffect<TwinEvent, TwinState> onRenewWait(
      DeviceTwin twin, TwinState state, RenewWait renew) {
    Instant now = Instant.now();
    if (twin.waiters().knows(renew.waiterId()) || !renew.until().isAfter(now)) {
      return EFFECT.noReply();
    }
    if (twin.waiters().waitingAt(now)) {
      // Of concurrent requests only one waits; the others get no command.
      return EFFECT.reply(renew.replyTo(), new Reply.NoCommand());
    }
    return onWaitForCommand(
        twin,
        state,
        new WaitForCommand(renew.waiterId(), renew.gateway(), renew.until(), renew.replyTo()));
  }

  /**
   * Gateway {@code offer.gateway()} waits: offer it the next waiting command, if any, or every one
   * (its MQTT session resumed).
   */
  static ReplyEffect<TwinEvent, TwinState> onOfferWaitingTo(
      DeviceTwin twin, TwinState state, OfferWaitingTo offer) {
    Instant now = Instant.now();
    if (Replies.refusalOfSender(twin.device(), state, offer.gateway()) != null
        || twin.waiters().waitingAt(now)) {
      return EFFECT.noReply();
    }
    List<CommandQueue.QueuedCommand> offered =
        offer.everyWaiting()
            ? state.commands().waiting().stream().filter(c -> c.expiresAt().isAfter(now)).toList()
            : state.commands().nextDeliverable(now).stream().toList();
    if (offered.isEmpty()) {
      StateDocument document = StateDocument.of(state);
      offerDelta(twin, document.version(), document.delta(), List.of(offer.gateway()));
    }
    for (CommandQueue.QueuedCommand next : offered) {
      twin.tell(
          offer.gateway(),
          new OfferCommand(
              twin.device(),
              next.commandId(),
              next.command(),
              next.format(),
              next.payload(),
              next.expiresAt(),
              List.of()));
    }
    return EFFECT.noReply();
  }

  static ReplyEffect<TwinEvent, TwinState> onStopWaiting(
      DeviceTwin twin, TwinState state, StopWaiting command) {
    twin.waiters().remove(command.waiterId());
    // Whether it was still waiting or was answered already, this ends the request: a second
    // answer to a finished request is dropped.
    return EFFECT.reply(command.replyTo(), new Reply.NoCommand());
  }

  /** Another device's command, offered to this twin as one of that device's gateways. */
  static ReplyEffect<TwinEvent, TwinState> onOfferCommand(
      DeviceTwin twin, TwinState state, OfferCommand offer) {
    Instant now = Instant.now();
    CommandWaiters.Waiter waiter =
        offer.expiresAt().isAfter(now) ? twin.waiters().takeForOffer(now) : null;
    if (waiter != null) {
      waiter
          .ref()
          .tell(
              new Reply.CommandToDeliver(
                  offer.target(),
                  offer.commandId(),
                  offer.command(),
                  offer.format(),
                  offer.payload()));
      twin.tell(offer.target(), new DeliveredThroughGateway(offer.commandId(), twin.device(), now));
    } else if (twin.session() != null && offer.expiresAt().isAfter(now)) {
      // An MQTT gateway client takes it if it subscribed to it; it stays queued on the device's
      // twin until that client acknowledges it (docs/adr/0057).
      twin.session()
          .tell(
              new TwinCommand.DeliverCommand(
                  offer.target(),
                  offer.commandId(),
                  offer.command(),
                  offer.format(),
                  offer.payload()));
    } else if (!offer.remaining().isEmpty()) {
      twin.tell(
          offer.remaining().get(0),
          new OfferCommand(
              offer.target(),
              offer.commandId(),
              offer.command(),
              offer.format(),
              offer.payload(),
              offer.expiresAt(),
              offer.remaining().subList(1, offer.remaining().size())));
    }
    return EFFECT.noReply();
  }

  static ReplyEffect<TwinEvent, TwinState> onDeliveredThroughGateway(
      DeviceTwin twin, TwinState state, DeliveredThroughGateway delivered) {
    if (!state.commands().isWaiting(delivered.commandId())) {
      return EFFECT.noReply();
    }
    return EFFECT
        .persist(new CommandDelivered(delivered.commandId(), delivered.at(), delivered.gateway()))
        .thenNoReply();
  }
}

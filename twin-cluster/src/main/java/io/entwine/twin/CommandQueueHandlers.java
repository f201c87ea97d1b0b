package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.AttachSession;
import io.entwine.twin.TwinCommand.AwaitCommandResponse;
import io.entwine.twin.TwinCommand.ConfirmDelivered;
import io.entwine.twin.TwinCommand.DeliverCommand;
import io.entwine.twin.TwinCommand.DetachSession;
import io.entwine.twin.TwinCommand.ListCommands;
import io.entwine.twin.TwinCommand.OfferCommand;
import io.entwine.twin.TwinCommand.QueueCommand;
import io.entwine.twin.TwinCommand.RespondToCommand;
import io.entwine.twin.TwinEvent.CommandDelivered;
import io.entwine.twin.TwinEvent.CommandExpired;
import io.entwine.twin.TwinEvent.CommandQueued;
import io.entwine.twin.TwinEvent.CommandResponded;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The device's command queue (queued → delivered → responded | expired, each persisted) and the
 * parties around it that need no waiting request: an MQTT session that takes commands, and
 * applications waiting for a response. The twin is the rendezvous, so the device, the application
 * and the twin may each be on any node. Requests that wait for a command are {@link
 * CommandWaitHandlers}.
 */
final class CommandQueueHandlers {
  private CommandQueueHandlers() {}

  // ---- queueing ----

  static ReplyEffect<TwinEvent, TwinState> onQueueCommand(
      DeviceTwin twin, TwinState state, QueueCommand command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    if (state.commands().find(command.commandId()).isPresent()) {
      return EFFECT.reply(command.replyTo(), new Reply.CommandAccepted(command.commandId()));
    }
    List<TwinEvent> events = new ArrayList<>(expiries(state, command.at()));
    if (state.commands().waitingCount() - events.size() >= twin.settings().maxQueuedCommands()) {
      Reply full =
          new Reply.Rejected(
              Rejection.LIMIT_EXCEEDED,
              "Device "
                  + twin.device().uuid()
                  + " already has "
                  + twin.settings().maxQueuedCommands()
                  + " commands waiting");
      return events.isEmpty()
          ? EFFECT.reply(command.replyTo(), full)
          : EFFECT.persist(events).thenReply(command.replyTo(), after -> full);
    }
    Duration timeToLive =
        command.timeToLive() != null ? command.timeToLive() : twin.settings().commandTimeToLive();
    CommandQueued queued =
        new CommandQueued(
            command.commandId(),
            command.command(),
            command.format(),
            command.payload(),
            command.at(),
            command.at().plus(timeToLive));
    events.add(queued);
    // A request waiting with hono-ttd takes the command at once, recorded as delivered with it.
    CommandWaiters.Waiter waiter = twin.waiters().take(Instant.now());
    if (waiter != null) {
      events.add(
          new CommandDelivered(
              command.commandId(), command.at(), receiver(twin, waiter.gateway())));
    }
    return EFFECT
        .persist(events)
        .thenRun(after -> announce(twin, queued, waiter, after))
        .thenReply(command.replyTo(), after -> new Reply.CommandAccepted(command.commandId()));
  }

  private static void announce(
      DeviceTwin twin, CommandQueued queued, CommandWaiters.Waiter waiter, TwinState state) {
    twin.publish(
        new LiveMessage.DeviceCommand(
            twin.device().org(),
            twin.device().type(),
            twin.device().id(),
            queued.commandId(),
            queued.command(),
            queued.format(),
            queued.payload()));
    if (waiter != null) {
      waiter
          .ref()
          .tell(
              new Reply.CommandToDeliver(
                  twin.device(),
                  queued.commandId(),
                  queued.command(),
                  queued.format(),
                  queued.payload()));
      return;
    }
    if (twin.session() != null) {
      twin.session()
          .tell(
              new DeliverCommand(
                  twin.device(),
                  queued.commandId(),
                  queued.command(),
                  queued.format(),
                  queued.payload()));
    }
    List<DeviceKey> gateways = gatewaysInPreferenceOrder(twin, state);
    if (!gateways.isEmpty()) {
      twin.tell(
          gateways.get(0),
          new OfferCommand(
              twin.device(),
              queued.commandId(),
              queued.command(),
              queued.format(),
              queued.payload(),
              queued.expiresAt(),
              gateways.subList(1, gateways.size())));
    }
  }

  /**
   * The gateway the device last sent through first, then the others as configured (Eclipse Hono
   * documentation, Command and Control concepts: commands for a device behind several gateways).
   */
  static List<DeviceKey> gatewaysInPreferenceOrder(DeviceTwin twin, TwinState state) {
    List<DeviceKey> via = new ArrayList<>(state.via());
    DeviceKey last = twin.waiters().lastVia();
    if (last != null && via.remove(last)) {
      via.add(0, last);
    }
    return List.copyOf(via);
  }

  // ---- an MQTT session ----

  static ReplyEffect<TwinEvent, TwinState> onAttachSession(
      DeviceTwin twin, TwinState state, AttachSession command) {
    twin.session(command.session());
    if (!state.isRegistered() || !command.deliverWaiting()) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    List<TwinEvent> expired = expiries(state, Instant.now());
    return EFFECT
        .persist(expired)
        .thenRun(after -> deliverWaiting(twin, after, command.session()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private static void deliverWaiting(
      DeviceTwin twin, TwinState state, ActorRef<TwinCommand.ToDevice> to) {
    for (CommandQueue.QueuedCommand waiting : state.commands().waiting()) {
      to.tell(
          new DeliverCommand(
              twin.device(),
              waiting.commandId(),
              waiting.command(),
              waiting.format(),
              waiting.payload()));
    }
    // a gateway's session also takes what waits for the devices it acts for (docs/adr/0057)
    for (DeviceKey actedFor : state.actsFor()) {
      twin.tell(actedFor, new TwinCommand.OfferWaitingTo(twin.device(), true));
    }
  }

  static ReplyEffect<TwinEvent, TwinState> onDetachSession(
      DeviceTwin twin, TwinState state, DetachSession command) {
    if (command.session().equals(twin.session())) {
      twin.session(null);
    }
    return EFFECT.reply(command.replyTo(), new Reply.Done());
  }

  static ReplyEffect<TwinEvent, TwinState> onConfirmDelivered(
      DeviceTwin twin, TwinState state, ConfirmDelivered command) {
    if (!state.commands().isWaiting(command.commandId())) {
      // Already delivered or expired: a repeated acknowledgement changes nothing.
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    return EFFECT
        .persist(new CommandDelivered(command.commandId(), command.at(), twin.device()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  /** Who gets a command handed to a waiting request: the gateway waiting for it, or the device. */
  static DeviceKey receiver(DeviceTwin twin, DeviceKey gateway) {
    return gateway != null ? gateway : twin.device();
  }

  static Reply.CommandToDeliver toDeliver(DeviceTwin twin, CommandQueue.QueuedCommand command) {
    return new Reply.CommandToDeliver(
        twin.device(), command.commandId(), command.command(), command.format(), command.payload());
  }

  // ---- responses ----

  static ReplyEffect<TwinEvent, TwinState> onAwaitResponse(
      DeviceTwin twin, TwinState state, AwaitCommandResponse command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    Optional<CommandQueue.QueuedCommand> found = state.commands().find(command.commandId());
    if (found.isEmpty()) {
      // The sender registers its wait before it queues the command, so that a device answering
      // at once finds it waiting; a command that is never queued ends with the wait's deadline.
      twin.waiters().awaitResponse(command.commandId(), command.replyTo(), command.until());
      return EFFECT.noReply();
    }
    CommandQueue.QueuedCommand queued = found.get();
    if (queued.response() != null) {
      return EFFECT.reply(command.replyTo(), response(queued.commandId(), queued.response()));
    }
    Instant now = Instant.now();
    if (queued.status() == CommandQueue.Status.EXPIRED
        || (queued.isWaiting() && !queued.expiresAt().isAfter(now))) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.TIMED_OUT,
              "Command '" + command.commandId() + "' expired before it was delivered"));
    }
    twin.waiters().awaitResponse(command.commandId(), command.replyTo(), command.until());
    return EFFECT.noReply();
  }

  static ReplyEffect<TwinEvent, TwinState> onRespond(
      DeviceTwin twin, TwinState state, RespondToCommand command) {
    Optional<CommandQueue.QueuedCommand> found = state.commands().find(command.commandId());
    if (found.isEmpty()
        || found.get().status() == CommandQueue.Status.RESPONDED
        || found.get().status() == CommandQueue.Status.EXPIRED) {
      return EFFECT.reply(command.replyTo(), nobodyWaits(command.commandId()));
    }
    DeviceKey responder = receiver(twin, command.gateway());
    if (!found.get().wasDeliveredTo(responder)) {
      // Hono: 403 when the sender may not act for the command; the command stays as it is.
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.FORBIDDEN,
              "Command '"
                  + command.commandId()
                  + "' was not delivered to "
                  + (command.gateway() == null ? "device '" : "gateway '")
                  + responder.id()
                  + "': only its receiver may answer it"));
    }
    CommandResponded responded =
        new CommandResponded(
            command.commandId(),
            command.status(),
            command.format(),
            command.payload(),
            command.at());
    List<ActorRef<Reply>> listening =
        twin.waiters().takeResponseWaiters(command.commandId(), Instant.now());
    Reply.CommandResponse response =
        new Reply.CommandResponse(
            command.commandId(), command.status(), command.format(), command.payload());
    return EFFECT
        .persist(responded)
        .thenRun(after -> listening.forEach(waiter -> waiter.tell(response)))
        .thenReply(
            command.replyTo(),
            after -> listening.isEmpty() ? nobodyWaits(command.commandId()) : new Reply.Done());
  }

  private static Reply.Rejected nobodyWaits(String commandId) {
    return new Reply.Rejected(
        Rejection.UNAVAILABLE,
        "No application waits for a response to command '" + commandId + "'");
  }

  private static Reply.CommandResponse response(String commandId, CommandQueue.Response r) {
    return new Reply.CommandResponse(commandId, r.status(), r.format(), r.payload());
  }

  // ---- listing ----

  static ReplyEffect<TwinEvent, TwinState> onListCommands(
      DeviceTwin twin, TwinState state, ListCommands command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    // Expiry is recorded when the queue is next touched; a listing is such a touch.
    return EFFECT
        .persist(expiries(state, Instant.now()))
        .thenReply(command.replyTo(), after -> list(twin, after));
  }

  private static Reply.CommandList list(DeviceTwin twin, TwinState state) {
    return new Reply.CommandList(
        state.commands().commands().stream()
            .map(
                c ->
                    new Reply.CommandInfo(
                        c.commandId(),
                        c.command(),
                        c.format(),
                        c.status().name().toLowerCase(Locale.ROOT),
                        c.queuedAt(),
                        c.expiresAt(),
                        c.response() == null ? null : c.response().status(),
                        c.response() == null ? null : c.response().format(),
                        c.response() == null ? null : c.response().payload(),
                        c.response() == null ? null : c.response().at()))
            .toList(),
        twin.waiters().waitingAt(Instant.now()) ? 1 : 0);
  }

  static List<TwinEvent> expiries(TwinState state, Instant now) {
    return state.commands().expiredAt(now).stream()
        .map(expired -> (TwinEvent) new CommandExpired(expired.commandId(), now))
        .toList();
  }
}

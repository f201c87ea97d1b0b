package io.entwine.twin;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceTwin.Event;
import io.entwine.twin.DeviceTwin.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The twin's side of commands for its device: the durable queue (queued → delivered → responded |
 * expired, each persisted) and the transient parties around it — an MQTT session, a Hono request
 * waiting with {@code hono-ttd}, applications waiting for a response. The twin is the rendezvous,
 * so the device, the application and the twin may each be on any node.
 */
final class CommandHandling {
  private static final EffectFactories<Event, State> EFFECT = new EffectFactories<>();

  private final DeviceKey device;
  private final TwinSettings settings;
  private final Consumer<LiveMessage> publishLive;
  private final BiConsumer<DeviceKey, DeviceTwin.Command> tellTwin;
  private final CommandWaiters waiters = new CommandWaiters();
  // The connected device session taking commands; transient by design (see AttachSession).
  private ActorRef<DeviceTwin.DeliverCommand> session;

  CommandHandling(
      DeviceKey device,
      TwinSettings settings,
      Consumer<LiveMessage> publishLive,
      BiConsumer<DeviceKey, DeviceTwin.Command> tellTwin) {
    this.device = device;
    this.settings = settings;
    this.publishLive = publishLive;
    this.tellTwin = tellTwin;
  }

  // ---- queueing ----

  ReplyEffect<Event, State> onQueueCommand(State state, DeviceTwin.QueueCommand command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    if (state.commands().find(command.commandId()).isPresent()) {
      return EFFECT.reply(command.replyTo(), new Reply.CommandAccepted(command.commandId()));
    }
    List<Event> events = new ArrayList<>(expiries(state, command.at()));
    if (state.commands().waitingCount() - events.size() >= settings.maxQueuedCommands()) {
      Reply full =
          new Reply.Rejected(
              Rejection.LIMIT_EXCEEDED,
              "Device "
                  + device.uuid()
                  + " already has "
                  + settings.maxQueuedCommands()
                  + " commands waiting");
      return events.isEmpty()
          ? EFFECT.reply(command.replyTo(), full)
          : EFFECT.persist(events).thenReply(command.replyTo(), after -> full);
    }
    Duration timeToLive =
        command.timeToLive() != null ? command.timeToLive() : settings.commandTimeToLive();
    DeviceTwin.CommandQueued queued =
        new DeviceTwin.CommandQueued(
            command.commandId(),
            command.command(),
            command.format(),
            command.payload(),
            command.at(),
            command.at().plus(timeToLive));
    events.add(queued);
    // A request waiting with hono-ttd takes the command at once, recorded as delivered with it.
    CommandWaiters.Waiter waiter = waiters.take(Instant.now());
    if (waiter != null) {
      events.add(
          new DeviceTwin.CommandDelivered(command.commandId(), command.at(), receiver(waiter)));
    }
    return EFFECT
        .persist(events)
        .thenRun(after -> announce(queued, waiter, after))
        .thenReply(command.replyTo(), after -> new Reply.CommandAccepted(command.commandId()));
  }

  private void announce(
      DeviceTwin.CommandQueued queued, CommandWaiters.Waiter waiter, State state) {
    publishLive.accept(
        new LiveMessage.DeviceCommand(
            device.org(),
            device.type(),
            device.id(),
            queued.commandId(),
            queued.command(),
            queued.format(),
            queued.payload()));
    if (waiter != null) {
      waiter.ref().tell(toDeliver(queued.commandId(), queued.command(), queued));
      return;
    }
    if (session != null) {
      session.tell(
          new DeviceTwin.DeliverCommand(
              device, queued.commandId(), queued.command(), queued.format(), queued.payload()));
    }
    List<DeviceKey> gateways = gatewaysInPreferenceOrder(state);
    if (!gateways.isEmpty()) {
      tellTwin.accept(
          gateways.get(0),
          new DeviceTwin.OfferCommand(
              device,
              queued.commandId(),
              queued.command(),
              queued.format(),
              queued.payload(),
              queued.expiresAt(),
              gateways.subList(1, gateways.size())));
    }
  }

  /**
   * The gateway the device last sent through first, then the others as configured (Eclipse Hono 1.2
   * HTTP adapter user guide, "Commands handled by gateways").
   */
  private List<DeviceKey> gatewaysInPreferenceOrder(State state) {
    List<DeviceKey> via = new ArrayList<>(state.via());
    DeviceKey last = waiters.lastVia();
    if (last != null && via.remove(last)) {
      via.add(0, last);
    }
    return List.copyOf(via);
  }

  // ---- an MQTT session ----

  ReplyEffect<Event, State> onAttachSession(State state, DeviceTwin.AttachSession command) {
    session = command.session();
    if (!state.isRegistered() || !command.deliverWaiting()) {
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    List<Event> expired = expiries(state, Instant.now());
    return EFFECT
        .persist(expired)
        .thenRun(after -> deliverWaiting(after, command.session()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private void deliverWaiting(State state, ActorRef<DeviceTwin.DeliverCommand> to) {
    for (CommandQueue.QueuedCommand waiting : state.commands().waiting()) {
      to.tell(
          new DeviceTwin.DeliverCommand(
              device, waiting.commandId(), waiting.command(), waiting.format(), waiting.payload()));
    }
  }

  ReplyEffect<Event, State> onDetachSession(DeviceTwin.DetachSession command) {
    if (command.session().equals(session)) {
      session = null;
    }
    return EFFECT.reply(command.replyTo(), new Reply.Done());
  }

  ReplyEffect<Event, State> onConfirmDelivered(State state, DeviceTwin.ConfirmDelivered command) {
    if (!state.commands().isWaiting(command.commandId())) {
      // Already delivered or expired: a repeated acknowledgement changes nothing.
      return EFFECT.reply(command.replyTo(), new Reply.Done());
    }
    return EFFECT
        .persist(new DeviceTwin.CommandDelivered(command.commandId(), command.at(), device))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  // ---- a request waiting with hono-ttd ----

  ReplyEffect<Event, State> onWaitForCommand(State state, DeviceTwin.WaitForCommand command) {
    Reply refusal = Replies.refusalOfSender(device, state, command.gateway());
    if (refusal != null) {
      return EFFECT.reply(command.replyTo(), refusal);
    }
    Instant now = Instant.now();
    List<Event> events = new ArrayList<>(expiries(state, now));
    Optional<CommandQueue.QueuedCommand> next = state.commands().nextDeliverable(now);
    if (next.isPresent()) {
      CommandQueue.QueuedCommand deliverable = next.get();
      events.add(
          new DeviceTwin.CommandDelivered(
              deliverable.commandId(), now, receiver(command.gateway())));
      return EFFECT
          .persist(events)
          .thenReply(
              command.replyTo(),
              after -> toDeliver(deliverable.commandId(), deliverable.command(), deliverable));
    }
    CommandWaiters.Waiter replaced =
        waiters.replace(
            new CommandWaiters.Waiter(
                command.waiterId(), command.gateway(), command.until(), command.replyTo()));
    if (replaced != null) {
      // Hono's rule: the last of concurrent requests gets the command; the earlier one gets none.
      replaced.ref().tell(new Reply.NoCommand());
    }
    if (command.gateway() == null) {
      // A gateway's own request also takes the commands waiting for the devices it acts for.
      for (DeviceKey actedFor : state.actsFor()) {
        tellTwin.accept(actedFor, new DeviceTwin.OfferWaitingTo(device));
      }
    }
    return EFFECT.persist(events).thenNoReply();
  }

  ReplyEffect<Event, State> onRenewWait(State state, DeviceTwin.RenewWait renew) {
    Instant now = Instant.now();
    if (waiters.knows(renew.waiterId()) || !renew.until().isAfter(now)) {
      return EFFECT.noReply();
    }
    if (waiters.waitingAt(now)) {
      // Hono's rule: of concurrent requests only one waits; the others get no command.
      return EFFECT.reply(renew.replyTo(), new Reply.NoCommand());
    }
    return onWaitForCommand(
        state,
        new DeviceTwin.WaitForCommand(
            renew.waiterId(), renew.gateway(), renew.until(), renew.replyTo()));
  }

  /** Gateway {@code offer.gateway()} waits: offer it the next waiting command, if any. */
  ReplyEffect<Event, State> onOfferWaitingTo(State state, DeviceTwin.OfferWaitingTo offer) {
    Instant now = Instant.now();
    if (Replies.refusalOfSender(device, state, offer.gateway()) != null || waiters.waitingAt(now)) {
      return EFFECT.noReply();
    }
    state
        .commands()
        .nextDeliverable(now)
        .ifPresent(
            next ->
                tellTwin.accept(
                    offer.gateway(),
                    new DeviceTwin.OfferCommand(
                        device,
                        next.commandId(),
                        next.command(),
                        next.format(),
                        next.payload(),
                        next.expiresAt(),
                        List.of())));
    return EFFECT.noReply();
  }

  ReplyEffect<Event, State> onStopWaiting(DeviceTwin.StopWaiting command) {
    waiters.remove(command.waiterId());
    // Whether it was still waiting or was answered already, this ends the request: a second
    // answer to a finished request is dropped.
    return EFFECT.reply(command.replyTo(), new Reply.NoCommand());
  }

  /** Another device's command, offered to this twin as one of that device's gateways. */
  ReplyEffect<Event, State> onOfferCommand(DeviceTwin.OfferCommand offer) {
    Instant now = Instant.now();
    CommandWaiters.Waiter waiter =
        offer.expiresAt().isAfter(now) ? waiters.takeForOffer(now) : null;
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
      tellTwin.accept(
          offer.target(), new DeviceTwin.DeliveredThroughGateway(offer.commandId(), device, now));
    } else if (!offer.remaining().isEmpty()) {
      tellTwin.accept(
          offer.remaining().get(0),
          new DeviceTwin.OfferCommand(
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

  ReplyEffect<Event, State> onDeliveredThroughGateway(
      State state, DeviceTwin.DeliveredThroughGateway delivered) {
    if (!state.commands().isWaiting(delivered.commandId())) {
      return EFFECT.noReply();
    }
    return EFFECT
        .persist(
            new DeviceTwin.CommandDelivered(
                delivered.commandId(), delivered.at(), delivered.gateway()))
        .thenNoReply();
  }

  /** Who gets a command handed to a waiting request: the gateway waiting for it, or the device. */
  private DeviceKey receiver(DeviceKey gateway) {
    return gateway != null ? gateway : device;
  }

  private DeviceKey receiver(CommandWaiters.Waiter waiter) {
    return receiver(waiter.gateway());
  }

  private Reply.CommandToDeliver toDeliver(
      String commandId, String name, CommandQueue.QueuedCommand command) {
    return new Reply.CommandToDeliver(device, commandId, name, command.format(), command.payload());
  }

  private Reply.CommandToDeliver toDeliver(
      String commandId, String name, DeviceTwin.CommandQueued command) {
    return new Reply.CommandToDeliver(device, commandId, name, command.format(), command.payload());
  }

  // ---- responses ----

  ReplyEffect<Event, State> onAwaitResponse(State state, DeviceTwin.AwaitCommandResponse command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    Optional<CommandQueue.QueuedCommand> found = state.commands().find(command.commandId());
    if (found.isEmpty()) {
      // The sender registers its wait before it queues the command, so that a device answering
      // at once finds it waiting; a command that is never queued ends with the wait's deadline.
      waiters.awaitResponse(command.commandId(), command.replyTo(), command.until());
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
    waiters.awaitResponse(command.commandId(), command.replyTo(), command.until());
    return EFFECT.noReply();
  }

  ReplyEffect<Event, State> onRespond(State state, DeviceTwin.RespondToCommand command) {
    Reply refusal = Replies.refusalOfSender(device, state, command.gateway());
    if (refusal != null) {
      return EFFECT.reply(command.replyTo(), refusal);
    }
    Optional<CommandQueue.QueuedCommand> found = state.commands().find(command.commandId());
    if (found.isEmpty()
        || found.get().status() == CommandQueue.Status.RESPONDED
        || found.get().status() == CommandQueue.Status.EXPIRED) {
      return EFFECT.reply(command.replyTo(), nobodyWaits(command.commandId()));
    }
    DeviceKey responder = receiver(command.gateway());
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
    DeviceTwin.CommandResponded responded =
        new DeviceTwin.CommandResponded(
            command.commandId(),
            command.status(),
            command.format(),
            command.payload(),
            command.at());
    List<ActorRef<Reply>> listening =
        waiters.takeResponseWaiters(command.commandId(), Instant.now());
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

  ReplyEffect<Event, State> onListCommands(State state, DeviceTwin.ListCommands command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(device));
    }
    // Expiry is recorded when the queue is next touched; a listing is such a touch.
    return EFFECT.persist(expiries(state, Instant.now())).thenReply(command.replyTo(), this::list);
  }

  private Reply.CommandList list(State state) {
    return new Reply.CommandList(
        state.commands().commands().stream()
            .map(
                c ->
                    new Reply.CommandInfo(
                        c.commandId(),
                        c.command(),
                        c.format(),
                        c.status().name().toLowerCase(java.util.Locale.ROOT),
                        c.queuedAt(),
                        c.expiresAt(),
                        c.response() == null ? null : c.response().status(),
                        c.response() == null ? null : c.response().format(),
                        c.response() == null ? null : c.response().payload(),
                        c.response() == null ? null : c.response().at()))
            .toList(),
        waiters.waitingAt(Instant.now()) ? 1 : 0);
  }

  /** Records that {@code gateway} (null: the device itself) carried the device's last message. */
  void sentThrough(DeviceKey gateway) {
    waiters.sentThrough(gateway);
  }

  static List<Event> expiries(State state, Instant now) {
    return state.commands().expiredAt(now).stream()
        .map(expired -> (Event) new DeviceTwin.CommandExpired(expired.commandId(), now))
        .toList();
  }
}

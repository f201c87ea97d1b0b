package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The digital twin of one device: its registration, metadata, credential hash, enabled flag and the
 * last event per event id. Every reply that acknowledges data is sent after the persist.
 */
public final class DeviceTwin
    extends EventSourcedBehaviorWithEnforcedReplies<
        DeviceTwin.Command, DeviceTwin.Event, DeviceTwin.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "DeviceTwin");

  /** Fixed once: events are tagged into this many slices, one projection instance per slice. */
  public static final int TAG_SLICES = 4;

  public static final List<String> TAGS =
      IntStream.range(0, TAG_SLICES).mapToObj(slice -> "twin-" + slice).toList();

  // ---- commands ----

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  public record Register(
      String secretHash,
      JsonNode metadata,
      String registeredBy,
      String registeredByType,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** Changes the metadata and/or the enabled flag; a null field is left as it is. */
  public record Update(JsonNode metadata, Boolean enabled, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Delete(Instant at, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A device event, authenticated by the token the device presented. {@code verifiedAgainst} is the
   * stored hash the sender already verified the token against (null when it has not).
   */
  public record RecordEvent(
      String token,
      String verifiedAgainst,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * An event an application sends on the device's behalf; the application is already authenticated
   * by an API key of the device's organization.
   */
  public record RecordApplicationEvent(
      String apiKey,
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** Checks a device's token without recording anything (e.g. an MQTT CONNECT). */
  public record Authenticate(String token, String verifiedAgainst, ActorRef<Reply> replyTo)
      implements Command {}

  /** The last event of one event id, or of every event id when {@code eventId} is null. */
  public record GetLastEvents(String eventId, ActorRef<Reply> replyTo) implements Command {}

  /** Queues a command for the device; {@code timeToLive} null means the configured default. */
  public record QueueCommand(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Duration timeToLive,
      Instant at,
      ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * A connected device session that takes commands. Not persisted: it lasts as long as this
   * incarnation of the twin, and a later attach replaces it. With {@code deliverWaiting} the
   * commands already waiting are sent to it at once (a persistent MQTT session).
   */
  public record AttachSession(
      ActorRef<DeliverCommand> session, boolean deliverWaiting, ActorRef<Reply> replyTo)
      implements Command {}

  public record DetachSession(ActorRef<DeliverCommand> session, ActorRef<Reply> replyTo)
      implements Command {}

  /** The session handed the command to the device (MQTT: the device acknowledged it). */
  public record ConfirmDelivered(String commandId, Instant at, ActorRef<Reply> replyTo)
      implements Command {}

  /** Sent by the twin to its attached session, once per waiting command. */
  public record DeliverCommand(
      DeviceKey device, String commandId, String command, String format, byte[] payload)
      implements CborSerializable {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record DeviceRegistered(
      String org,
      String type,
      String id,
      String secretHash,
      JsonNode metadata,
      String registeredBy,
      String registeredByType,
      Instant at)
      implements Event {}

  public record MetadataUpdated(JsonNode metadata, Instant at) implements Event {}

  public record EnabledChanged(boolean enabled, Instant at) implements Event {}

  public record DeviceDeleted(Instant at) implements Event {}

  public record EventRecorded(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt)
      implements Event {}

  public record CommandQueued(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Instant queuedAt,
      Instant expiresAt)
      implements Event {}

  public record CommandDelivered(String commandId, Instant at) implements Event {}

  public record CommandExpired(String commandId, Instant at) implements Event {}

  // ---- state ----

  public record Registration(
      String secretHash,
      JsonNode metadata,
      boolean enabled,
      String registeredBy,
      String registeredByType,
      Instant registeredAt) {

    Registration withMetadata(JsonNode newMetadata) {
      return new Registration(
          secretHash, newMetadata, enabled, registeredBy, registeredByType, registeredAt);
    }

    Registration withEnabled(boolean newEnabled) {
      return new Registration(
          secretHash, metadata, newEnabled, registeredBy, registeredByType, registeredAt);
    }
  }

  /** Immutable; {@link #EMPTY} is shared by every twin that is not registered. */
  public record State(
      Registration registration,
      Map<String, Reply.LastEvent> lastEvents,
      long eventCount,
      CommandQueue commands)
      implements CborSerializable {

    public static final State EMPTY = new State(null, Map.of(), 0, CommandQueue.EMPTY);

    public State {
      commands = commands == null ? CommandQueue.EMPTY : commands;
    }

    public boolean isRegistered() {
      return registration != null;
    }

    State withRegistration(Registration newRegistration) {
      return new State(newRegistration, lastEvents, eventCount, commands);
    }

    State withCommands(CommandQueue newCommands) {
      return new State(registration, lastEvents, eventCount, newCommands);
    }

    /**
     * Keeps the newest event of each event id; beyond {@code maxEventIds} ids, the id that was
     * received longest ago goes. Arrival order, not device time: a device clock cannot evict the
     * event just recorded. The map's order is the arrival order and survives snapshots.
     */
    State withLastEvent(Reply.LastEvent event, int maxEventIds) {
      LinkedHashMap<String, Reply.LastEvent> updated = new LinkedHashMap<>(lastEvents);
      updated.remove(event.eventId());
      updated.put(event.eventId(), event);
      if (updated.size() > maxEventIds) {
        updated.remove(updated.keySet().iterator().next());
      }
      return new State(
          registration, Collections.unmodifiableMap(updated), eventCount + 1, commands);
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    TwinSettings settings = TwinSettings.from(system.settings().config());
    VerifiedSecrets secrets = Credentials.get(system).verifiedSecrets();
    LiveFeed liveFeed = LiveFeed.get(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_KEY,
                entityContext ->
                    create(entityContext.getEntityId(), settings, secrets, liveFeed::publish)));
  }

  /** A twin whose live messages go nowhere (entity tests). */
  public static Behavior<Command> create(
      String entityId, TwinSettings settings, VerifiedSecrets secrets) {
    return create(entityId, settings, secrets, message -> {});
  }

  public static Behavior<Command> create(
      String entityId,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive) {
    return new DeviceTwin(DeviceKey.fromEntityId(entityId), settings, secrets, publishLive);
  }

  public static String tagFor(String entityId) {
    return TAGS.get(Math.floorMod(entityId.hashCode(), TAG_SLICES));
  }

  private final DeviceKey device;
  private final TwinSettings settings;
  private final VerifiedSecrets secrets;
  private final Set<String> tags;
  private final Consumer<LiveMessage> publishLive;
  // The connected device session taking commands; transient by design (see AttachSession).
  private ActorRef<DeliverCommand> session;

  private DeviceTwin(
      DeviceKey device,
      TwinSettings settings,
      VerifiedSecrets secrets,
      Consumer<LiveMessage> publishLive) {
    super(PersistenceId.of(ENTITY_KEY.name(), device.entityId()), Persistence.RESTART_ON_FAILURE);
    this.device = device;
    this.settings = settings;
    this.secrets = secrets;
    this.tags = Set.of(tagFor(device.entityId()));
    this.publishLive = publishLive;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots());
  }

  // Dispatching by hand instead of through a builder: no per-twin handler objects (DESIGN.md).
  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<Event, State> onCommand(State state, Command command) {
    if (command instanceof RecordEvent record) {
      return onRecordEvent(state, record);
    } else if (command instanceof Register register) {
      return onRegister(state, register);
    } else if (command instanceof GetLastEvents get) {
      return onGetLastEvents(state, get);
    } else if (command instanceof Get get) {
      return Effect().reply(get.replyTo(), infoOrNotFound(state));
    } else if (command instanceof Update update) {
      return onUpdate(state, update);
    } else if (command instanceof Delete delete) {
      return onDelete(state, delete);
    } else if (command instanceof RecordApplicationEvent record) {
      return onRecordApplicationEvent(state, record);
    } else if (command instanceof Authenticate authenticate) {
      return onAuthenticate(state, authenticate);
    } else if (command instanceof QueueCommand queue) {
      return onQueueCommand(state, queue);
    } else if (command instanceof AttachSession attach) {
      return onAttachSession(state, attach);
    } else if (command instanceof DetachSession detach) {
      return onDetachSession(detach);
    } else if (command instanceof ConfirmDelivered confirm) {
      return onConfirmDelivered(state, confirm);
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  private ReplyEffect<Event, State> onRegister(State state, Register command) {
    if (state.isRegistered()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.ALREADY_EXISTS,
                  "Device " + device.type() + "/" + device.id() + " is already registered"));
    }
    DeviceRegistered registered =
        new DeviceRegistered(
            device.org(),
            device.type(),
            device.id(),
            command.secretHash(),
            absentIfNull(command.metadata()),
            command.registeredBy(),
            command.registeredByType(),
            command.at());
    return Effect().persist(registered).thenReply(command.replyTo(), this::info);
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    List<Event> changes = new ArrayList<>(2);
    JsonNode metadata = absentIfNull(command.metadata());
    if (metadata != null && !metadata.equals(state.registration().metadata())) {
      changes.add(new MetadataUpdated(metadata, command.at()));
    }
    if (command.enabled() != null && command.enabled() != state.registration().enabled()) {
      changes.add(new EnabledChanged(command.enabled(), command.at()));
    }
    if (changes.isEmpty()) {
      return Effect().reply(command.replyTo(), info(state));
    }
    return Effect().persist(changes).thenReply(command.replyTo(), this::info);
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    return Effect()
        .persist(new DeviceDeleted(command.at()))
        .thenReply(command.replyTo(), deleted -> new Reply.Done());
  }

  private ReplyEffect<Event, State> onRecordEvent(State state, RecordEvent command) {
    Reply refusal = refusalOfToken(state, command.token(), command.verifiedAgainst());
    if (refusal != null) {
      return Effect().reply(command.replyTo(), refusal);
    }
    return record(
        command.eventId(),
        command.format(),
        command.payload(),
        command.timestamp(),
        command.receivedAt(),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onRecordApplicationEvent(
      State state, RecordApplicationEvent command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (!state.registration().enabled()) {
      return Effect().reply(command.replyTo(), disabled());
    }
    return record(
        command.eventId(),
        command.format(),
        command.payload(),
        command.timestamp(),
        command.receivedAt(),
        command.replyTo());
  }

  private ReplyEffect<Event, State> onAuthenticate(State state, Authenticate command) {
    Reply refusal = refusalOfToken(state, command.token(), command.verifiedAgainst());
    return Effect().reply(command.replyTo(), refusal != null ? refusal : new Reply.Done());
  }

  /** Why a device presenting {@code token} may not act, or null when it may. */
  private Reply refusalOfToken(State state, String token, String verifiedAgainst) {
    if (!state.isRegistered()) {
      // The same answer as a wrong token, so that devices cannot be enumerated.
      return unauthorized();
    }
    String secretHash = state.registration().secretHash();
    if (!secrets.accepts(secretHash, token, verifiedAgainst)) {
      return new Reply.NeedsVerification(secretHash);
    }
    return state.registration().enabled() ? null : disabled();
  }

  private ReplyEffect<Event, State> record(
      String eventId,
      String format,
      byte[] payload,
      Instant timestamp,
      Instant receivedAt,
      ActorRef<Reply> replyTo) {
    Instant arrival = receivedAt != null ? receivedAt : Instant.now();
    EventRecorded recorded =
        new EventRecorded(
            eventId, format, payload, timestamp != null ? timestamp : arrival, arrival);
    return Effect()
        .persist(recorded)
        .thenRun(
            after ->
                publishLive.accept(
                    new LiveMessage.DeviceEvent(
                        device.org(),
                        device.type(),
                        device.id(),
                        eventId,
                        format,
                        payload,
                        recorded.timestamp())))
        .thenReply(replyTo, after -> new Reply.Done());
  }

  // ---- commands for the device ----

  private ReplyEffect<Event, State> onQueueCommand(State state, QueueCommand command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (state.commands().commands().stream()
        .anyMatch(c -> c.commandId().equals(command.commandId()))) {
      return Effect().reply(command.replyTo(), new Reply.CommandAccepted(command.commandId()));
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
          ? Effect().reply(command.replyTo(), full)
          : Effect().persist(events).thenReply(command.replyTo(), after -> full);
    }
    Duration timeToLive =
        command.timeToLive() != null ? command.timeToLive() : settings.commandTimeToLive();
    CommandQueued queued =
        new CommandQueued(
            command.commandId(),
            command.command(),
            command.format(),
            command.payload(),
            command.at(),
            command.at().plus(timeToLive));
    events.add(queued);
    return Effect()
        .persist(events)
        .thenRun(after -> announce(queued))
        .thenReply(command.replyTo(), after -> new Reply.CommandAccepted(command.commandId()));
  }

  private void announce(CommandQueued queued) {
    publishLive.accept(
        new LiveMessage.DeviceCommand(
            device.org(),
            device.type(),
            device.id(),
            queued.commandId(),
            queued.command(),
            queued.format(),
            queued.payload()));
    if (session != null) {
      session.tell(
          new DeliverCommand(
              device, queued.commandId(), queued.command(), queued.format(), queued.payload()));
    }
  }

  private ReplyEffect<Event, State> onAttachSession(State state, AttachSession command) {
    session = command.session();
    if (!state.isRegistered() || !command.deliverWaiting()) {
      return Effect().reply(command.replyTo(), new Reply.Done());
    }
    List<Event> expired = expiries(state, Instant.now());
    return Effect()
        .persist(expired)
        .thenRun(after -> deliverWaiting(after, command.session()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private void deliverWaiting(State state, ActorRef<DeliverCommand> to) {
    for (CommandQueue.QueuedCommand waiting : state.commands().waiting()) {
      to.tell(
          new DeliverCommand(
              device, waiting.commandId(), waiting.command(), waiting.format(), waiting.payload()));
    }
  }

  private ReplyEffect<Event, State> onDetachSession(DetachSession command) {
    if (command.session().equals(session)) {
      session = null;
    }
    return Effect().reply(command.replyTo(), new Reply.Done());
  }

  private ReplyEffect<Event, State> onConfirmDelivered(State state, ConfirmDelivered command) {
    if (!state.commands().isWaiting(command.commandId())) {
      // Already delivered or expired: a repeated acknowledgement changes nothing.
      return Effect().reply(command.replyTo(), new Reply.Done());
    }
    return Effect()
        .persist(new CommandDelivered(command.commandId(), command.at()))
        .thenReply(command.replyTo(), after -> new Reply.Done());
  }

  private static List<Event> expiries(State state, Instant now) {
    return state.commands().expiredAt(now).stream()
        .map(expired -> (Event) new CommandExpired(expired.commandId(), now))
        .toList();
  }

  private ReplyEffect<Event, State> onGetLastEvents(State state, GetLastEvents command) {
    if (!state.isRegistered()) {
      return Effect().reply(command.replyTo(), notFound());
    }
    if (command.eventId() == null) {
      List<Reply.LastEvent> all =
          state.lastEvents().values().stream()
              .sorted(Comparator.comparing(Reply.LastEvent::eventId))
              .toList();
      return Effect().reply(command.replyTo(), new Reply.LastEvents(all));
    }
    Reply.LastEvent last = state.lastEvents().get(command.eventId());
    if (last == null) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(
                  Rejection.NOT_FOUND,
                  "No event '" + command.eventId() + "' was received from " + device.uuid()));
    }
    return Effect().reply(command.replyTo(), new Reply.LastEvents(List.of(last)));
  }

  /** A JSON null (which is also what a null JsonNode becomes on the wire) means "not given". */
  private static JsonNode absentIfNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private Reply infoOrNotFound(State state) {
    return state.isRegistered() ? info(state) : notFound();
  }

  private Reply.DeviceInfo info(State state) {
    Registration registration = state.registration();
    return new Reply.DeviceInfo(
        device.org(),
        device.type(),
        device.id(),
        registration.metadata(),
        registration.enabled(),
        registration.registeredBy(),
        registration.registeredByType(),
        registration.registeredAt(),
        state.eventCount());
  }

  private Reply.Rejected notFound() {
    return new Reply.Rejected(
        Rejection.NOT_FOUND,
        "Device type '" + device.type() + "' id '" + device.id() + "' is not registered");
  }

  private Reply.Rejected disabled() {
    return new Reply.Rejected(Rejection.FORBIDDEN, "Device " + device.uuid() + " is disabled");
  }

  private static Reply.Rejected unauthorized() {
    return Reply.Rejected.unauthorized();
  }

  // ---- events applied to state ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return this::apply;
  }

  private State apply(State state, Event event) {
    if (event instanceof EventRecorded recorded) {
      return state.withLastEvent(
          new Reply.LastEvent(
              recorded.eventId(), recorded.format(), recorded.payload(), recorded.timestamp()),
          settings.maxCachedEventIds());
    } else if (event instanceof DeviceRegistered registered) {
      return new State(
          new Registration(
              registered.secretHash(),
              registered.metadata(),
              true,
              registered.registeredBy(),
              registered.registeredByType(),
              registered.at()),
          Map.of(),
          0,
          CommandQueue.EMPTY);
    } else if (event instanceof MetadataUpdated updated) {
      return state.withRegistration(state.registration().withMetadata(updated.metadata()));
    } else if (event instanceof EnabledChanged changed) {
      return state.withRegistration(state.registration().withEnabled(changed.enabled()));
    } else if (event instanceof CommandQueued queued) {
      return state.withCommands(
          state
              .commands()
              .withQueued(
                  new CommandQueue.QueuedCommand(
                      queued.commandId(),
                      queued.command(),
                      queued.format(),
                      queued.payload(),
                      queued.queuedAt(),
                      queued.expiresAt(),
                      CommandQueue.Status.QUEUED)));
    } else if (event instanceof CommandDelivered delivered) {
      return state.withCommands(
          state.commands().withStatus(delivered.commandId(), CommandQueue.Status.DELIVERED));
    } else if (event instanceof CommandExpired expired) {
      return state.withCommands(
          state.commands().withStatus(expired.commandId(), CommandQueue.Status.EXPIRED));
    } else if (event instanceof DeviceDeleted) {
      return State.EMPTY;
    }
    throw new IllegalArgumentException("Unknown event " + event.getClass());
  }
}

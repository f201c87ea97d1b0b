package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.credentials.Credentials;
import io.entwine.credentials.VerifiedSecrets;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** The last event of one event id, or of every event id when {@code eventId} is null. */
  public record GetLastEvents(String eventId, ActorRef<Reply> replyTo) implements Command {}

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
      Registration registration, Map<String, Reply.LastEvent> lastEvents, long eventCount)
      implements CborSerializable {

    public static final State EMPTY = new State(null, Map.of(), 0);

    public boolean isRegistered() {
      return registration != null;
    }

    State withRegistration(Registration newRegistration) {
      return new State(newRegistration, lastEvents, eventCount);
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
      return new State(registration, Collections.unmodifiableMap(updated), eventCount + 1);
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    TwinSettings settings = TwinSettings.from(system.settings().config());
    VerifiedSecrets secrets = Credentials.get(system).verifiedSecrets();
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_KEY,
                entityContext -> create(entityContext.getEntityId(), settings, secrets)));
  }

  public static Behavior<Command> create(
      String entityId, TwinSettings settings, VerifiedSecrets secrets) {
    return new DeviceTwin(DeviceKey.fromEntityId(entityId), settings, secrets);
  }

  public static String tagFor(String entityId) {
    return TAGS.get(Math.floorMod(entityId.hashCode(), TAG_SLICES));
  }

  private final DeviceKey device;
  private final TwinSettings settings;
  private final VerifiedSecrets secrets;
  private final Set<String> tags;

  private DeviceTwin(DeviceKey device, TwinSettings settings, VerifiedSecrets secrets) {
    super(PersistenceId.of(ENTITY_KEY.name(), device.entityId()), Persistence.RESTART_ON_FAILURE);
    this.device = device;
    this.settings = settings;
    this.secrets = secrets;
    this.tags = Set.of(tagFor(device.entityId()));
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
    if (!state.isRegistered()) {
      // The same answer as a wrong token, so that devices cannot be enumerated.
      return Effect().reply(command.replyTo(), unauthorized());
    }
    String secretHash = state.registration().secretHash();
    if (!secrets.accepts(secretHash, command.token(), command.verifiedAgainst())) {
      return Effect().reply(command.replyTo(), new Reply.NeedsVerification(secretHash));
    }
    if (!state.registration().enabled()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Reply.Rejected(Rejection.FORBIDDEN, "Device " + device.uuid() + " is disabled"));
    }
    Instant receivedAt = command.receivedAt() != null ? command.receivedAt() : Instant.now();
    EventRecorded recorded =
        new EventRecorded(
            command.eventId(),
            command.format(),
            command.payload(),
            command.timestamp() != null ? command.timestamp() : receivedAt,
            receivedAt);
    return Effect().persist(recorded).thenReply(command.replyTo(), after -> new Reply.Done());
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

  private static Reply.Rejected unauthorized() {
    return new Reply.Rejected(Rejection.UNAUTHORIZED, "Unknown device or wrong token");
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
          0);
    } else if (event instanceof MetadataUpdated updated) {
      return state.withRegistration(state.registration().withMetadata(updated.metadata()));
    } else if (event instanceof EnabledChanged changed) {
      return state.withRegistration(state.registration().withEnabled(changed.enabled()));
    } else if (event instanceof DeviceDeleted) {
      return State.EMPTY;
    }
    throw new IllegalArgumentException("Unknown event " + event.getClass());
  }
}

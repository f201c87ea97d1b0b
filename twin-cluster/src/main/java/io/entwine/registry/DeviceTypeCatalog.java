package io.entwine.registry;

import static io.entwine.protocol.JsonValues.absentIfNull;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.entity.CommandTable;
import io.entwine.entity.CommandTable.Handler;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.entity.EventTable;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.protocol.Reply.DeviceTypeInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The device types of one organization, as IBM's platform API v0002 keeps them (IBM Watson IoT
 * Platform API v0002 documentation, Device types): one entity per organization holds them all, so a
 * type is listed, found or refused as a duplicate the moment it is acknowledged, and the list calls
 * need no read model. An organization holds at most {@link #MAX_TYPES}; the state is a few hundred
 * bytes per type and is loaded only while the organization's types are in use (docs/adr/0050).
 */
public final class DeviceTypeCatalog
    extends EventSourcedEntity<
        DeviceTypeCatalog,
        DeviceTypeCatalog.Command,
        DeviceTypeCatalog.Event,
        DeviceTypeCatalog.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "DeviceTypeCatalog");

  /** The most device types one organization holds. */
  public static final int MAX_TYPES = 1000;

  // ---- commands ----

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  /**
   * Persists {@code type} as it is: {@link DeviceTypeInfo}, ALREADY_EXISTS, or FORBIDDEN past
   * {@link #MAX_TYPES}. The event's fields are written beside {@code replyTo} ({@link
   * JsonUnwrapped}), the form the command had when it listed them itself.
   */
  public record CreateType(@JsonUnwrapped TypeCreated type, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Persists {@code change}, which replaces what it gives (a null field is left as it is): {@link
   * DeviceTypeInfo}, NOT_FOUND. Written flat like {@link CreateType}.
   */
  public record UpdateType(@JsonUnwrapped TypeUpdated change, ActorRef<Reply> replyTo)
      implements Command {}

  /** Done or NOT_FOUND; the caller has checked that no device has the type. */
  public record DeleteType(String id, Instant at, ActorRef<Reply> replyTo) implements Command {}

  /** {@link DeviceTypeInfo} or NOT_FOUND. */
  public record GetType(String id, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.DeviceTypeList}, ordered by id. */
  public record ListTypes(ActorRef<Reply> replyTo) implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  public record TypeCreated(
      String id,
      String classId,
      String description,
      JsonNode deviceInfo,
      JsonNode metadata,
      Instant at)
      implements Event {
    public TypeCreated {
      deviceInfo = absentIfNull(deviceInfo);
      metadata = absentIfNull(metadata);
    }
  }

  /** The fields given replaced the type's; null ones were left as they were. */
  public record TypeUpdated(
      String id, String description, JsonNode deviceInfo, JsonNode metadata, Instant at)
      implements Event {
    public TypeUpdated {
      deviceInfo = absentIfNull(deviceInfo);
      metadata = absentIfNull(metadata);
    }
  }

  public record TypeDeleted(String id, Instant at) implements Event {}

  // ---- state ----

  /** Type id → type; immutable. */
  public record State(Map<String, DeviceTypeInfo> types) implements CborSerializable {
    public static final State EMPTY = new State(Map.of());

    public State {
      types = types == null ? Map.of() : types;
    }

    public State apply(Event event) {
      return CHANGES.apply(null, this, event);
    }

    private static final EventTable<Void, State, Event> CHANGES =
        EventTable.<Void, State, Event>of(Event.class)
            .on(
                TypeCreated.class,
                (none, state, created) ->
                    state.with(
                        new DeviceTypeInfo(
                            created.id(),
                            created.classId(),
                            created.description(),
                            created.deviceInfo(),
                            created.metadata(),
                            created.at(),
                            created.at())))
            .on(TypeUpdated.class, (none, state, updated) -> state.with(updated))
            .on(TypeDeleted.class, (none, state, deleted) -> state.without(deleted.id()))
            .build();

    private State with(DeviceTypeInfo type) {
      Map<String, DeviceTypeInfo> updated = new HashMap<>(types);
      updated.put(type.id(), type);
      return new State(Map.copyOf(updated));
    }

    private State with(TypeUpdated change) {
      DeviceTypeInfo type = types.get(change.id());
      return with(
          new DeviceTypeInfo(
              type.id(),
              type.classId(),
              change.description() != null ? change.description() : type.description(),
              change.deviceInfo() != null ? change.deviceInfo() : type.deviceInfo(),
              change.metadata() != null ? change.metadata() : type.metadata(),
              type.created(),
              change.at()));
    }

    private State without(String id) {
      Map<String, DeviceTypeInfo> updated = new HashMap<>(types);
      updated.remove(id);
      return updated.isEmpty() ? EMPTY : new State(Map.copyOf(updated));
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String orgId) {
    return new DeviceTypeCatalog(orgId);
  }

  private DeviceTypeCatalog(String orgId) {
    super(ENTITY_KEY, orgId);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  protected CommandTable<DeviceTypeCatalog, Command, Event, State> commandTable() {
    return HANDLERS;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }

  private static final EffectFactories<Event, State> EFFECT = new EffectFactories<>();

  private static final CommandTable<DeviceTypeCatalog, Command, Event, State> HANDLERS =
      CommandTable.<DeviceTypeCatalog, Command, Event, State>of(Command.class)
          .on(CreateType.class, DeviceTypeCatalog::onCreate)
          .on(
              UpdateType.class,
              ifTypeExists(update -> update.change().id(), DeviceTypeCatalog::onUpdate))
          .on(DeleteType.class, ifTypeExists(DeleteType::id, DeviceTypeCatalog::onDelete))
          .on(GetType.class, ifTypeExists(GetType::id, DeviceTypeCatalog::onGet))
          .on(ListTypes.class, DeviceTypeCatalog::onList)
          .build();

  private static ReplyEffect<Event, State> onCreate(
      DeviceTypeCatalog catalog, State state, CreateType create) {
    String id = create.type().id();
    if (state.types().containsKey(id)) {
      return EFFECT.reply(
          create.replyTo(),
          new Reply.Rejected(Rejection.ALREADY_EXISTS, "Device type '" + id + "' already exists"));
    }
    if (state.types().size() >= MAX_TYPES) {
      return EFFECT.reply(
          create.replyTo(),
          new Reply.Rejected(
              Rejection.FORBIDDEN,
              "The organization has " + MAX_TYPES + " device types, the most it may have"));
    }
    return EFFECT
        .persist(create.type())
        .thenReply(create.replyTo(), after -> after.types().get(id));
  }

  /** {@code handler} for a type the catalog holds; NOT_FOUND for one it does not. */
  private static <T extends Command> Handler<DeviceTypeCatalog, T, Event, State> ifTypeExists(
      Function<T, String> idOf, Handler<DeviceTypeCatalog, T, Event, State> handler) {
    return (catalog, state, command) ->
        state.types().containsKey(idOf.apply(command))
            ? handler.handle(catalog, state, command)
            : EFFECT.reply(command.replyTo(), notFound(idOf.apply(command)));
  }

  private static ReplyEffect<Event, State> onUpdate(
      DeviceTypeCatalog catalog, State state, UpdateType update) {
    return EFFECT
        .persist(update.change())
        .thenReply(update.replyTo(), after -> after.types().get(update.change().id()));
  }

  private static ReplyEffect<Event, State> onDelete(
      DeviceTypeCatalog catalog, State state, DeleteType delete) {
    return EFFECT
        .persist(new TypeDeleted(delete.id(), delete.at()))
        .thenReply(delete.replyTo(), after -> new Reply.Done());
  }

  private static ReplyEffect<Event, State> onGet(
      DeviceTypeCatalog catalog, State state, GetType get) {
    return EFFECT.reply(get.replyTo(), state.types().get(get.id()));
  }

  private static ReplyEffect<Event, State> onList(
      DeviceTypeCatalog catalog, State state, ListTypes list) {
    return EFFECT.reply(
        list.replyTo(),
        new Reply.DeviceTypeList(List.copyOf(new TreeMap<>(state.types()).values())));
  }

  private static Reply.Rejected notFound(String id) {
    return new Reply.Rejected(Rejection.NOT_FOUND, "Device type '" + id + "' does not exist");
  }
}

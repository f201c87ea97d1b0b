package io.entwine.registry;

import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Reply;
import java.util.List;
import java.util.TreeSet;
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

/**
 * The device types under which a device id is registered within an organization: Hono addresses
 * devices by id alone ({@code /telemetry/{tenant}/{device}}), IBM by type and id. One entity per
 * {@code org/device-id}, updated before a registration and after a deletion, so a bare id resolves
 * the moment the device exists. A type listed here whose twin is not registered (a registration
 * that failed after the index was updated) is filtered out by the resolver.
 */
public final class DeviceIdIndex
    extends EventSourcedBehaviorWithEnforcedReplies<
        DeviceIdIndex.Command, DeviceIdIndex.Event, DeviceIdIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "DeviceIdIndex");

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  public record Add(String type, ActorRef<Reply> replyTo) implements Command {}

  public record Remove(String type, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.DeviceTypes}, possibly empty. */
  public record Lookup(ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record TypeAdded(String type) implements Event {}

  public record TypeRemoved(String type) implements Event {}

  public record State(List<String> types) implements CborSerializable {
    public static final State EMPTY = new State(List.of());

    State with(String type, boolean present) {
      TreeSet<String> updated = new TreeSet<>(types);
      if (present) {
        updated.add(type);
      } else {
        updated.remove(type);
      }
      return new State(List.copyOf(updated));
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String entityId) {
    return new DeviceIdIndex(entityId);
  }

  public static String entityId(String org, String deviceId) {
    return org + "/" + deviceId;
  }

  private DeviceIdIndex(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId), Persistence.RESTART_ON_FAILURE);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<Event, State> onCommand(State state, Command command) {
    if (command instanceof Lookup lookup) {
      return Effect().reply(lookup.replyTo(), new Reply.DeviceTypes(state.types()));
    } else if (command instanceof Add add) {
      return state.types().contains(add.type())
          ? Effect().reply(add.replyTo(), new Reply.Done())
          : Effect()
              .persist(new TypeAdded(add.type()))
              .thenReply(add.replyTo(), after -> new Reply.Done());
    } else if (command instanceof Remove remove) {
      return !state.types().contains(remove.type())
          ? Effect().reply(remove.replyTo(), new Reply.Done())
          : Effect()
              .persist(new TypeRemoved(remove.type()))
              .thenReply(remove.replyTo(), after -> new Reply.Done());
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof TypeAdded added
            ? state.with(added.type(), true)
            : state.with(((TypeRemoved) event).type(), false);
  }
}

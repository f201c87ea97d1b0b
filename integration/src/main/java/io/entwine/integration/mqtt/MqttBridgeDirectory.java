package io.entwine.integration.mqtt;

import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import java.util.Set;
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
 * The ids of an organization's MQTT bridges, so that listing never crosses organizations and an id
 * of another organization is unknown without waking any bridge. Added to before a bridge is created
 * and removed from after it is deleted; an id whose bridge does not exist (a creation that failed
 * half-way) is skipped by readers. Bounds the bridges per organization.
 */
public final class MqttBridgeDirectory
    extends EventSourcedBehaviorWithEnforcedReplies<
        MqttBridgeDirectory.Command, MqttBridgeDirectory.Event, MqttBridgeDirectory.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "MqttBridgeDirectory");

  public sealed interface Command extends CborSerializable {
    ActorRef<BridgeReply> replyTo();
  }

  /** Refused with LIMIT_EXCEEDED when the organization has {@code limit} bridges already. */
  public record Add(String id, int limit, ActorRef<BridgeReply> replyTo) implements Command {}

  public record Remove(String id, ActorRef<BridgeReply> replyTo) implements Command {}

  /** {@link BridgeReply.Directory}. */
  public record ListBridges(ActorRef<BridgeReply> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record BridgeAdded(String id) implements Event {}

  public record BridgeRemoved(String id) implements Event {}

  public record State(Set<String> ids) implements CborSerializable {
    static final State EMPTY = new State(Set.of());

    State with(String id, boolean present) {
      TreeSet<String> updated = new TreeSet<>(ids);
      if (present) {
        updated.add(id);
      } else {
        updated.remove(id);
      }
      return new State(Set.copyOf(updated));
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String org) {
    return new MqttBridgeDirectory(org);
  }

  private MqttBridgeDirectory(String org) {
    super(PersistenceId.of(ENTITY_KEY.name(), org), Persistence.RESTART_ON_FAILURE);
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
    if (command instanceof ListBridges list) {
      return Effect().reply(list.replyTo(), new BridgeReply.Directory(new TreeSet<>(state.ids())));
    } else if (command instanceof Add add) {
      if (state.ids().size() >= add.limit()) {
        return Effect()
            .reply(
                add.replyTo(),
                new BridgeReply.Rejected(
                    Rejection.LIMIT_EXCEEDED,
                    "The organization has "
                        + state.ids().size()
                        + " MQTT bridges, the most allowed; delete one first"));
      }
      return Effect()
          .persist(new BridgeAdded(add.id()))
          .thenReply(add.replyTo(), after -> new BridgeReply.Done());
    } else if (command instanceof Remove remove) {
      return !state.ids().contains(remove.id())
          ? Effect().reply(remove.replyTo(), new BridgeReply.Done())
          : Effect()
              .persist(new BridgeRemoved(remove.id()))
              .thenReply(remove.replyTo(), after -> new BridgeReply.Done());
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof BridgeAdded added
            ? state.with(added.id(), true)
            : state.with(((BridgeRemoved) event).id(), false);
  }
}

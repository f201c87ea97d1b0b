package io.entwine.integration;

import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import java.util.Map;
import java.util.TreeMap;
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
 * An organization's integrations, id → routing key: the API addresses integrations by id, senders
 * by routing key. One entity per organization, so listing never crosses organizations. Updated
 * before an integration is created and after it is deleted; an id whose integration does not exist
 * (a creation that failed half-way) is skipped by readers.
 */
public final class IntegrationDirectory
    extends EventSourcedBehaviorWithEnforcedReplies<
        IntegrationDirectory.Command, IntegrationDirectory.Event, IntegrationDirectory.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "IntegrationDirectory");

  public sealed interface Command extends CborSerializable {
    ActorRef<IntegrationReply> replyTo();
  }

  public record Add(String id, String routingKey, ActorRef<IntegrationReply> replyTo)
      implements Command {}

  public record Remove(String id, ActorRef<IntegrationReply> replyTo) implements Command {}

  /** {@link IntegrationReply.Directory}. */
  public record ListIntegrations(ActorRef<IntegrationReply> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record Added(String id, String routingKey) implements Event {}

  public record Removed(String id) implements Event {}

  public record State(Map<String, String> routingKeys) implements CborSerializable {
    static final State EMPTY = new State(Map.of());

    State with(String id, String routingKey) {
      TreeMap<String, String> updated = new TreeMap<>(routingKeys);
      if (routingKey == null) {
        updated.remove(id);
      } else {
        updated.put(id, routingKey);
      }
      return new State(Map.copyOf(updated));
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String org) {
    return new IntegrationDirectory(org);
  }

  private IntegrationDirectory(String org) {
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
    if (command instanceof ListIntegrations list) {
      return Effect().reply(list.replyTo(), new IntegrationReply.Directory(state.routingKeys()));
    } else if (command instanceof Add add) {
      return Effect()
          .persist(new Added(add.id(), add.routingKey()))
          .thenReply(add.replyTo(), after -> new IntegrationReply.Done());
    } else if (command instanceof Remove remove) {
      return !state.routingKeys().containsKey(remove.id())
          ? Effect().reply(remove.replyTo(), new IntegrationReply.Done())
          : Effect()
              .persist(new Removed(remove.id()))
              .thenReply(remove.replyTo(), after -> new IntegrationReply.Done());
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof Added added
            ? state.with(added.id(), added.routingKey())
            : state.with(((Removed) event).id(), null);
  }
}

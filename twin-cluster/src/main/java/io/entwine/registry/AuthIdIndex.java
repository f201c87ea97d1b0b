package io.entwine.registry;

import io.entwine.identity.DeviceKey;
import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
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
 * Which device an auth-id belongs to within an organization (Hono's {@code auth-id@tenant}). One
 * entity per {@code org/auth-id}, so a claim is consistent the moment it is acknowledged and two
 * devices can never hold the same auth-id.
 */
public final class AuthIdIndex
    extends EventSourcedBehaviorWithEnforcedReplies<
        AuthIdIndex.Command, AuthIdIndex.Event, AuthIdIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "AuthIdIndex");

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  /** Done when the auth-id is free or already the device's; ALREADY_EXISTS when another's. */
  public record Claim(DeviceKey device, ActorRef<Reply> replyTo) implements Command {}

  /** Frees the auth-id if {@code device} holds it. */
  public record Release(DeviceKey device, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.DeviceFound} or NOT_FOUND. */
  public record Lookup(ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record Claimed(DeviceKey device) implements Event {}

  public record Released(DeviceKey device) implements Event {}

  public record State(DeviceKey owner) implements CborSerializable {
    public static final State EMPTY = new State(null);
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String entityId) {
    return new AuthIdIndex(entityId);
  }

  public static String entityId(String org, String authId) {
    return org + "/" + authId;
  }

  private final String authId;

  private AuthIdIndex(String entityId) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId), Persistence.RESTART_ON_FAILURE);
    this.authId = entityId.substring(entityId.indexOf('/') + 1);
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
      return Effect()
          .reply(
              lookup.replyTo(),
              state.owner() == null
                  ? new Reply.Rejected(Rejection.NOT_FOUND, "Unknown auth-id '" + authId + "'")
                  : new Reply.DeviceFound(state.owner()));
    } else if (command instanceof Claim claim) {
      if (claim.device().equals(state.owner())) {
        return Effect().reply(claim.replyTo(), new Reply.Done());
      }
      if (state.owner() != null) {
        return Effect()
            .reply(
                claim.replyTo(),
                new Reply.Rejected(
                    Rejection.ALREADY_EXISTS,
                    "Auth-id '"
                        + authId
                        + "' is already used by device "
                        + state.owner().type()
                        + "/"
                        + state.owner().id()));
      }
      return Effect()
          .persist(new Claimed(claim.device()))
          .thenReply(claim.replyTo(), after -> new Reply.Done());
    } else if (command instanceof Release release) {
      if (!release.device().equals(state.owner())) {
        return Effect().reply(release.replyTo(), new Reply.Done());
      }
      return Effect()
          .persist(new Released(release.device()))
          .thenReply(release.replyTo(), after -> new Reply.Done());
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof Claimed claimed ? new State(claimed.device()) : State.EMPTY;
  }
}

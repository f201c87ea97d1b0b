package io.entwine.registry;

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
 * Which tenant trusts the CA with a given subject DN (RFC 2253), across all organizations: a client
 * certificate names only its issuer, so the issuer DN must identify the tenant, as Hono's {@code
 * trusted-ca} does. One entity per DN, so two tenants can never trust the same CA subject.
 */
public final class TrustedCaIndex
    extends EventSourcedBehaviorWithEnforcedReplies<
        TrustedCaIndex.Command, TrustedCaIndex.Event, TrustedCaIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "TrustedCaIndex");

  public sealed interface Command extends CborSerializable {
    ActorRef<Reply> replyTo();
  }

  /** Done when the DN is free or already {@code org}'s; ALREADY_EXISTS when another's. */
  public record Claim(String org, ActorRef<Reply> replyTo) implements Command {}

  /** Frees the DN if {@code org} holds it. */
  public record Release(String org, ActorRef<Reply> replyTo) implements Command {}

  /** {@link Reply.TenantFound} or NOT_FOUND. */
  public record Lookup(ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record Claimed(String org) implements Event {}

  public record Released(String org) implements Event {}

  public record State(String org) implements CborSerializable {
    public static final State EMPTY = new State(null);
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, entityContext -> create(entityContext.getEntityId())));
  }

  public static Behavior<Command> create(String subjectDn) {
    return new TrustedCaIndex(subjectDn);
  }

  private final String subjectDn;

  private TrustedCaIndex(String subjectDn) {
    super(PersistenceId.of(ENTITY_KEY.name(), subjectDn), Persistence.RESTART_ON_FAILURE);
    this.subjectDn = subjectDn;
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
              state.org() == null
                  ? new Reply.Rejected(Rejection.NOT_FOUND, "No tenant trusts CA " + subjectDn)
                  : new Reply.TenantFound(state.org()));
    } else if (command instanceof Claim claim) {
      if (claim.org().equals(state.org())) {
        return Effect().reply(claim.replyTo(), new Reply.Done());
      }
      if (state.org() != null) {
        // Names no tenant: which organizations exist is not the caller's business.
        return Effect()
            .reply(
                claim.replyTo(),
                new Reply.Rejected(
                    Rejection.ALREADY_EXISTS,
                    "Another tenant already trusts a CA with subject DN '" + subjectDn + "'"));
      }
      return Effect()
          .persist(new Claimed(claim.org()))
          .thenReply(claim.replyTo(), after -> new Reply.Done());
    } else if (command instanceof Release release) {
      if (!release.org().equals(state.org())) {
        return Effect().reply(release.replyTo(), new Reply.Done());
      }
      return Effect()
          .persist(new Released(release.org()))
          .thenReply(release.replyTo(), after -> new Reply.Done());
    }
    throw new IllegalArgumentException("Unknown command " + command.getClass());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (state, event) ->
        event instanceof Claimed claimed ? new State(claimed.org()) : State.EMPTY;
  }
}

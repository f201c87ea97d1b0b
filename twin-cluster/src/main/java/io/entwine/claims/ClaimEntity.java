package io.entwine.claims;

import io.entwine.persistence.Persistence;
import io.entwine.protocol.CborSerializable;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One table of a {@link ClaimTable}: keys claimed in it, each held once, with a value and at most
 * as many keys as the claim allows. One entity per table, so a claim is consistent the moment it is
 * acknowledged. Answers in its table's reply type, through the table's {@link ClaimReplies}.
 */
public final class ClaimEntity<R>
    extends EventSourcedBehaviorWithEnforcedReplies<
        ClaimEntity.Command, ClaimEntity.Event, ClaimEntity.State> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Done when {@code key} is held already (it keeps its first value) or is added; refused through
   * {@link ClaimReplies#full} when the table holds {@code limit} keys.
   */
  public record Claim<R>(String key, String value, int limit, ActorRef<R> replyTo)
      implements Command {}

  /** Done; frees {@code key} if it is held. */
  public record Release<R>(String key, ActorRef<R> replyTo) implements Command {}

  /** Answered through {@link ClaimReplies#lookup}. */
  public record Lookup<R>(ActorRef<R> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record Claimed(String key, String value) implements Event {}

  public record Released(String key) implements Event {}

  /** Key → value; an immutable map, because most tables hold one key and a node holds many. */
  public record State(Map<String, String> claims) implements CborSerializable {
    public static final State EMPTY = new State(Map.of());

    State apply(Event event) {
      Map<String, String> updated = new HashMap<>(claims);
      if (event instanceof Claimed claimed) {
        updated.put(claimed.key(), claimed.value());
      } else {
        updated.remove(((Released) event).key());
      }
      return updated.isEmpty() ? EMPTY : new State(Map.copyOf(updated));
    }

    SortedMap<String, String> sorted() {
      return new TreeMap<>(claims);
    }
  }

  private final String tableId;
  private final ClaimReplies<R> replies;

  ClaimEntity(EntityTypeKey<Command> entityKey, String tableId, ClaimReplies<R> replies) {
    super(PersistenceId.of(entityKey.name(), tableId), Persistence.RESTART_ON_FAILURE);
    this.tableId = tableId;
    this.replies = replies;
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
    if (command instanceof Claim<?> claim) {
      return onClaim(state, claim);
    } else if (command instanceof Release<?> release) {
      ActorRef<R> replyTo = replyTo(release.replyTo());
      return state.claims().containsKey(release.key())
          ? Effect()
              .persist(new Released(release.key()))
              .thenReply(replyTo, after -> replies.done())
          : Effect().reply(replyTo, replies.done());
    }
    Lookup<?> lookup = (Lookup<?>) command;
    return Effect()
        .reply(replyTo(lookup.replyTo()), replies.lookup().apply(tableId, state.sorted()));
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim<?> claim) {
    ActorRef<R> replyTo = replyTo(claim.replyTo());
    if (state.claims().containsKey(claim.key())) {
      return Effect().reply(replyTo, replies.done());
    }
    if (state.claims().size() >= claim.limit()) {
      return Effect().reply(replyTo, replies.full().apply(tableId, state.sorted()));
    }
    return Effect()
        .persist(new Claimed(claim.key(), claim.value()))
        .thenReply(replyTo, after -> replies.done());
  }

  /** A command's reply type is its table's: {@link ClaimTable} alone builds the commands. */
  @SuppressWarnings("unchecked")
  private ActorRef<R> replyTo(ActorRef<?> replyTo) {
    return (ActorRef<R>) replyTo;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }
}

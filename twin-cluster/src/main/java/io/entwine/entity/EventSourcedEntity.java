package io.entwine.entity;

import io.entwine.persistence.Persistence;
import java.util.Optional;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * What every sharded event-sourced entity of Entwine does alike (Ditto's AbstractPersistenceActor,
 * eclipse-ditto/ditto, in spirit): its persistence id is its entity type and id, it restarts with
 * backoff when the journal fails, every command is answered, and commands go through the entity's
 * {@link CommandTable}. The subclass keeps its state, events and what its handlers need.
 *
 * @param <X> the entity itself, which its handlers get
 */
public abstract class EventSourcedEntity<X extends EventSourcedEntity<X, C, E, S>, C, E, S>
    extends EventSourcedBehaviorWithEnforcedReplies<C, E, S> {

  // Passed as one shared Optional: the constructor taking the strategy itself wraps it in a new
  // Optional that every resident entity then keeps (16 bytes each, docs/adr/0075).
  private static final Optional<BackoffSupervisorStrategy> RESTART_ON_FAILURE =
      Optional.of(Persistence.RESTART_ON_FAILURE);

  protected EventSourcedEntity(EntityTypeKey<C> typeKey, String entityId) {
    super(PersistenceId.of(typeKey.name(), entityId), RESTART_ON_FAILURE);
  }

  /** The entity's handlers: a static constant, so that no instance builds its own. */
  protected abstract CommandTable<X, C, E, S> commandTable();

  @SuppressWarnings("unchecked")
  private X self() {
    return (X) this;
  }

  @Override
  public final CommandHandlerWithReply<C, E, S> commandHandler() {
    // Captures only this: one small object per instance, as a method reference would be.
    return (state, command) -> commandTable().handle(self(), state, command);
  }

  // One for every entity: Pekko keeps the criteria in each resident entity's behaviour.
  private static final RetentionCriteria SNAPSHOT_EVERY_100 =
      RetentionCriteria.snapshotEvery(100, 2);

  /** A snapshot every 100 events, two kept, unless the entity chooses otherwise. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return SNAPSHOT_EVERY_100;
  }
}

package io.entwine.integration;

import io.entwine.entity.CommandTable;
import io.entwine.entity.EventSourcedEntity;
import io.entwine.protocol.Rejection;
import java.time.Instant;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A sharded entity that runs a stream while it exists, not only while addressed (an MQTT bridge, a
 * webhook). Sharding remembers it with the event-sourced store (the journal we have; ADR 0032), so
 * it starts again on a live node after its node is lost or the cluster restarts; it leaves the
 * remembered set by passivating through its shard. What such an entity does alike lives here (ADR
 * 0067): the stream starts after recovery and creation and stops on restart, stop and deletion; an
 * entity recovered without a configuration passivates; create, read and delete answer the same way.
 * The subclass owns its stream, its state and its other commands. What is per type (empty state,
 * handlers, replies) sits in one static {@link Kind}, so an instance carries no more than before.
 *
 * @param <R> the entity's reply type
 */
public abstract class RememberedStreamEntity<
        X extends RememberedStreamEntity<X, C, E, S, R>,
        C,
        E,
        S extends RememberedStreamEntity.Lifecycle,
        R>
    extends EventSourcedEntity<X, C, E, S> {

  /** What the entity's state tells about its lifecycle. */
  public interface Lifecycle {
    /** Created and not deleted. */
    boolean exists();

    /** The id it was created with, deleted or not; null when never created. */
    String createdId();
  }

  /** A read of the configuration: {@link Kind#found} of the state, or NOT_FOUND. */
  public interface GetCommand<R> {
    ActorRef<R> replyTo();
  }

  /** A deletion at {@code at}, persisted as {@link Kind#deleted}; answers {@link Kind#done}. */
  public interface DeleteCommand<R> {
    Instant at();

    ActorRef<R> replyTo();
  }

  /**
   * What differs between entity types: one static constant per type.
   *
   * @param noun what the entity is called in refusals, in lower case: {@code bridge}
   * @param stopIfEmpty the type's own command that {@link #onStopIfEmpty} handles
   * @param empty the state before creation
   * @param handlers the type's command table
   * @param found the reply to a read or a creation
   * @param deleted the event a deletion persists
   */
  public record Kind<X, C, E, S, R>(
      String noun,
      C stopIfEmpty,
      BiFunction<Rejection, String, R> rejected,
      R done,
      S empty,
      CommandTable<X, C, E, S> handlers,
      Function<S, R> found,
      Function<Instant, E> deleted) {}

  /** Makes one entity instance, inside its actor's setup. */
  @FunctionalInterface
  public interface Factory<C> {
    Behavior<C> create(
        String entityId, ActorRef<ClusterSharding.ShardCommand> shard, ActorContext<C> context);
  }

  /** Starts the entity type's sharding, with remember-entities, on this node. */
  public static <C> void initRemembered(
      ActorSystem<?> system, EntityTypeKey<C> entityKey, Factory<C> factory) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    entityKey,
                    entityContext ->
                        Behaviors.setup(
                            context ->
                                factory.create(
                                    entityContext.getEntityId(),
                                    entityContext.getShard(),
                                    context)))
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<C> context;
  private final Kind<X, C, E, S, R> kind;

  protected RememberedStreamEntity(
      EntityTypeKey<C> entityKey,
      Kind<X, C, E, S, R> kind,
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<C> context) {
    super(entityKey, entityId);
    this.kind = kind;
    this.shard = shard;
    this.context = context;
  }

  // ---- what the entity tells ----

  /** Whether its stream should run now; by default whenever it exists. */
  protected boolean runsNow(S state) {
    return state.exists();
  }

  protected abstract void startStream(S state);

  /** Stops the stream if one runs. */
  protected abstract void stopStream();

  // ---- what it does alike ----

  @Override
  public final S emptyState() {
    return kind.empty();
  }

  @Override
  protected final CommandTable<X, C, E, S> commandTable() {
    return kind.handlers();
  }

  protected final ActorContext<C> context() {
    return context;
  }

  @Override
  public final SignalHandler<S> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(PreRestart.instance(), state -> stopStream())
        .onSignal(PostStop.instance(), state -> stopStream())
        .build();
  }

  private void onRecovered(S state) {
    if (!state.exists()) {
      // after the commands that woke the entity (a create among them) have been handled
      context.getSelf().tell(kind.stopIfEmpty());
    } else if (runsNow(state)) {
      startStream(state);
    }
  }

  /** The handler of the kind's {@code stopIfEmpty}: an entity with nothing to run leaves. */
  protected final ReplyEffect<E, S> onStopIfEmpty(S state, Object command) {
    if (!state.exists()) {
      passivate();
    }
    return Effect().noReply();
  }

  /** Persists {@code created} and starts the stream, unless this id was ever taken. */
  protected final ReplyEffect<E, S> create(S state, ActorRef<R> replyTo, E created) {
    String existing = state.createdId();
    if (existing != null) {
      String noun = Character.toUpperCase(kind.noun().charAt(0)) + kind.noun().substring(1);
      return Effect()
          .reply(
              replyTo,
              kind.rejected()
                  .apply(Rejection.ALREADY_EXISTS, noun + " '" + existing + "' exists or existed"));
    }
    return Effect()
        .persist(created)
        .thenRun(this::startStream)
        .thenReply(replyTo, kind.found()::apply);
  }

  /** The handler of the kind's read. */
  protected final ReplyEffect<E, S> onGet(S state, GetCommand<R> get) {
    return replyIfExists(state, get.replyTo(), kind.found());
  }

  /** Answers {@code reply} of the state, or NOT_FOUND when the entity does not exist. */
  protected final ReplyEffect<E, S> replyIfExists(
      S state, ActorRef<R> replyTo, Function<S, R> reply) {
    return Effect().reply(replyTo, state.exists() ? reply.apply(state) : notFound());
  }

  /**
   * The handler of the kind's deletion: persists its event, stops the stream and leaves the
   * remembered entities.
   */
  protected final ReplyEffect<E, S> onDelete(S state, DeleteCommand<R> delete) {
    if (!state.exists()) {
      return Effect().reply(delete.replyTo(), notFound());
    }
    return Effect()
        .persist(kind.deleted().apply(delete.at()))
        .thenRun(
            after -> {
              stopStream();
              passivate();
            })
        .thenReply(delete.replyTo(), after -> kind.done());
  }

  private void passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  protected final R notFound() {
    return kind.rejected().apply(Rejection.NOT_FOUND, "No such " + kind.noun());
  }
}

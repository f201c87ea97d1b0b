package io.entwine.integration;

import io.entwine.entity.EventSourcedEntity;
import io.entwine.protocol.Rejection;
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
 * The subclass owns its stream, its state and its other commands.
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

  /**
   * What differs between entity types besides their handlers; one static constant per type.
   *
   * @param noun what the entity is called in refusals, in lower case: {@code bridge}
   * @param stopIfEmpty the type's own command that {@link #onStopIfEmpty} handles
   */
  public record Kind<C, R>(
      String noun, C stopIfEmpty, BiFunction<Rejection, String, R> rejected, R done) {}

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
  private final Kind<C, R> kind;

  protected RememberedStreamEntity(
      EntityTypeKey<C> entityKey,
      Kind<C, R> kind,
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
  protected final ReplyEffect<E, S> create(
      S state, ActorRef<R> replyTo, E created, Function<S, R> found) {
    String existing = state.createdId();
    if (existing != null) {
      String noun = Character.toUpperCase(kind.noun().charAt(0)) + kind.noun().substring(1);
      return Effect()
          .reply(
              replyTo,
              kind.rejected()
                  .apply(Rejection.ALREADY_EXISTS, noun + " '" + existing + "' exists or existed"));
    }
    return Effect().persist(created).thenRun(this::startStream).thenReply(replyTo, found::apply);
  }

  /** Answers {@code reply} of the state, or NOT_FOUND when the entity does not exist. */
  protected final ReplyEffect<E, S> replyIfExists(
      S state, ActorRef<R> replyTo, Function<S, R> reply) {
    return Effect().reply(replyTo, state.exists() ? reply.apply(state) : notFound());
  }

  /** Persists {@code deleted}, stops the stream and leaves the remembered entities. */
  protected final ReplyEffect<E, S> delete(S state, ActorRef<R> replyTo, E deleted) {
    if (!state.exists()) {
      return Effect().reply(replyTo, notFound());
    }
    return Effect()
        .persist(deleted)
        .thenRun(
            after -> {
              stopStream();
              passivate();
            })
        .thenReply(replyTo, after -> kind.done());
  }

  private void passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
  }

  protected final R notFound() {
    return kind.rejected().apply(Rejection.NOT_FOUND, "No such " + kind.noun());
  }
}

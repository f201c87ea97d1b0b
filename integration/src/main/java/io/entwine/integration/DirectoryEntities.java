package io.entwine.integration;

import io.entwine.claims.ClaimEntity;
import io.entwine.claims.ClaimTable;
import io.entwine.protocol.Rejection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Sharded entities keyed {@code org/id} whose ids an organization's claim table lists (MQTT
 * bridges, webhooks): an id is claimed before its entity is created and released after it is
 * deleted, and an entity is addressed only after its organization's table knows its id, so another
 * organization's id is unknown without waking any entity.
 *
 * @param <C> the entity's command type
 * @param <R> the reply type the entity and the table share
 */
public final class DirectoryEntities<C, R> {
  private static final Executor SAME_THREAD = Runnable::run;

  private final ClusterSharding sharding;
  private final ClaimTable<String, R> directory;
  private final EntityTypeKey<C> entityKey;
  private final Function<R, Set<String>> idsOf;
  private final Function<String, R> notFound;
  private final Duration askTimeout;

  /**
   * @param idsOf the ids in the table's lookup reply
   * @param notFound the reply for an id the organization does not have
   */
  public DirectoryEntities(
      ActorSystem<?> system,
      ClaimTable<String, R> directory,
      EntityTypeKey<C> entityKey,
      Function<R, Set<String>> idsOf,
      Function<String, R> notFound,
      Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.directory = directory;
    this.entityKey = entityKey;
    this.idsOf = idsOf;
    this.notFound = notFound;
    this.askTimeout = askTimeout;
  }

  public static String entityId(String org, String id) {
    return org + "/" + id;
  }

  /** Claims {@code id} (refused beyond {@code limit} ids), then sends {@code create}. */
  public CompletionStage<R> create(
      String org, String id, int limit, Function<ActorRef<R>, C> create) {
    return ask(directory(org), directory.claim(id, limit))
        .thenComposeAsync(
            claimed ->
                claimed instanceof RejectedReply
                    ? CompletableFuture.completedFuture(claimed)
                    : ask(entity(org, id), create),
            SAME_THREAD);
  }

  /** {@code command}'s reply when the organization has {@code id}, else NOT_FOUND. */
  public CompletionStage<R> whenKnown(String org, String id, Function<ActorRef<R>, C> command) {
    return ask(directory(org), directory.lookup())
        .thenComposeAsync(
            ids ->
                idsOf.apply(ids).contains(id)
                    ? ask(entity(org, id), command)
                    : CompletableFuture.completedFuture(notFound.apply(id)),
            SAME_THREAD);
  }

  /** Sends {@code delete} and releases the id unless the entity refused for another reason. */
  public CompletionStage<R> delete(String org, String id, Function<ActorRef<R>, C> delete) {
    return whenKnown(org, id, delete)
        .thenComposeAsync(
            deleted ->
                deleted instanceof RejectedReply rejected
                        && rejected.reason() != Rejection.NOT_FOUND
                    ? CompletableFuture.completedFuture(deleted)
                    : ask(directory(org), directory.release(id)).thenApply(removed -> deleted),
            SAME_THREAD);
  }

  /** The {@code found} replies of {@code get} to each of the organization's ids, in id order. */
  public <F extends R> CompletionStage<List<F>> list(
      String org, Function<ActorRef<R>, C> get, Class<F> found) {
    return ask(directory(org), directory.lookup())
        .thenComposeAsync(
            ids -> {
              List<CompletableFuture<R>> gets = new ArrayList<>();
              for (String id : idsOf.apply(ids)) {
                gets.add(ask(entity(org, id), get).toCompletableFuture());
              }
              return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all ->
                          gets.stream()
                              .map(CompletableFuture::join)
                              .filter(found::isInstance)
                              .map(found::cast)
                              .toList());
            },
            SAME_THREAD);
  }

  private EntityRef<ClaimEntity.Command> directory(String org) {
    return sharding.entityRefFor(directory.entityKey(), org);
  }

  private EntityRef<C> entity(String org, String id) {
    return sharding.entityRefFor(entityKey, entityId(org, id));
  }

  private <T> CompletionStage<R> ask(EntityRef<T> entity, Function<ActorRef<R>, T> command) {
    return entity.ask(command::apply, askTimeout);
  }
}

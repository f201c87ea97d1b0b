package io.entwine.integration;

import io.entwine.ingress.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * An organization's {@link RememberedStreamEntity remembered stream entities} of one kind (MQTT
 * bridges, webhooks) as the HTTP routes use them: read, read the status, delete and list, each
 * scoped by organization through the kind's {@link DirectoryEntities}. The subclass says how one is
 * created (and changed), since that is where the kinds differ.
 *
 * @param <V> a create request that passed its checks
 * @param <C> the entities' command type
 * @param <R> their reply type
 * @param <F> the reply that shows one entity
 */
public abstract class RememberedStreamEntities<V, C, R, F extends R> {
  /**
   * The kind's commands that every such entity has, and its reply that shows one.
   *
   * @param idOf the id of the entity {@code found} shows
   */
  public record Commands<C, R, F>(
      Function<ActorRef<R>, C> get,
      Function<ActorRef<R>, C> getStatus,
      BiFunction<Instant, ActorRef<R>, C> delete,
      Class<F> found,
      Function<F, String> idOf) {}

  /** The reply to a status read: the entity's id and how its stream goes. */
  public interface StatusReply {
    String id();

    Object status();
  }

  protected final DirectoryEntities<C, R> entities;
  private final Commands<C, R, F> commands;

  protected RememberedStreamEntities(DirectoryEntities<C, R> entities, Commands<C, R, F> commands) {
    this.entities = entities;
    this.commands = commands;
  }

  /** The new entity as {@code F}, already running, or a refusal. */
  public abstract CompletionStage<R> create(String org, V request);

  /** The entity as {@code F}, or NOT_FOUND. */
  public CompletionStage<R> get(String org, String id) {
    return entities.whenKnown(org, id, commands.get());
  }

  /** How its stream goes, or NOT_FOUND. */
  public CompletionStage<R> status(String org, String id) {
    return entities.whenKnown(org, id, commands.getStatus());
  }

  /** Stops its stream and forgets it: done, or NOT_FOUND. */
  public CompletionStage<R> delete(String org, String id) {
    return entities.delete(org, id, replyTo -> commands.delete().apply(Timestamps.now(), replyTo));
  }

  /** The organization's entities, in id order. */
  public CompletionStage<List<F>> list(String org) {
    return entities.list(org, commands.get(), commands.found());
  }

  /** {@code reply} as the reply that shows one entity. */
  public F found(R reply) {
    return commands.found().cast(reply);
  }

  public String idOf(F found) {
    return commands.idOf().apply(found);
  }
}

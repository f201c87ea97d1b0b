package io.entwine.claims;

import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A kind of claim table, one {@link ClaimEntity} per table id: where a key may be held only once —
 * an auth-id by one device, a CA subject by one tenant — or where an organization's ids must be
 * listed without scanning. A use names its entity type (also its persistence id prefix: never
 * change it), how its keys of type {@code K} are written, how many keys a table holds by default,
 * and its {@link ClaimReplies}; its callers build the commands here.
 */
public final class ClaimTable<K, R> {
  /** For tables that bound nothing but the uniqueness of a key. */
  public static final int NO_LIMIT = Integer.MAX_VALUE;

  /** The value of a key in a table that keeps keys only. */
  public static final String NO_VALUE = "";

  private final EntityTypeKey<ClaimEntity.Command> entityKey;
  private final Function<K, String> keyText;
  private final int limit;
  private final ClaimReplies<R> replies;

  public ClaimTable(
      String entityTypeName, Function<K, String> keyText, int limit, ClaimReplies<R> replies) {
    this.entityKey = EntityTypeKey.create(ClaimEntity.Command.class, entityTypeName);
    this.keyText = keyText;
    this.limit = limit;
    this.replies = replies;
  }

  public EntityTypeKey<ClaimEntity.Command> entityKey() {
    return entityKey;
  }

  public void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(entityKey, entityContext -> create(entityContext.getEntityId())));
  }

  /** The entity of the table {@code tableId}, as sharding starts it. */
  public Behavior<ClaimEntity.Command> create(String tableId) {
    return new ClaimEntity<>(entityKey, tableId, replies);
  }

  public Function<ActorRef<R>, ClaimEntity.Command> claim(K key) {
    return claim(key, NO_VALUE, limit);
  }

  public Function<ActorRef<R>, ClaimEntity.Command> claim(K key, String value) {
    return claim(key, value, limit);
  }

  /** A claim refused when the table holds {@code limit} keys already, whatever its default. */
  public Function<ActorRef<R>, ClaimEntity.Command> claim(K key, int limit) {
    return claim(key, NO_VALUE, limit);
  }

  public Function<ActorRef<R>, ClaimEntity.Command> claim(K key, String value, int limit) {
    String text = keyText.apply(key);
    return replyTo -> new ClaimEntity.Claim<>(text, value, limit, replyTo);
  }

  public Function<ActorRef<R>, ClaimEntity.Command> release(K key) {
    String text = keyText.apply(key);
    return replyTo -> new ClaimEntity.Release<>(text, replyTo);
  }

  public Function<ActorRef<R>, ClaimEntity.Command> lookup() {
    return ClaimEntity.Lookup::new;
  }
}

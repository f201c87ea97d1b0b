package io.entwine.integration;

import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Sharded entities that must run while they exist, not only while addressed (an MQTT bridge, a
 * webhook): remember-entities with the event-sourced store (the journal we have; ADR 0032), so
 * sharding starts each again on a live node after its node is lost or the cluster restarts. Such an
 * entity leaves the remembered set by passivating through its shard, which it is given.
 */
public final class RememberedEntities {
  private RememberedEntities() {}

  public static <C> void init(
      ActorSystem<?> system,
      EntityTypeKey<C> entityKey,
      BiFunction<String, ActorRef<ClusterSharding.ShardCommand>, Behavior<C>> create) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    entityKey,
                    entityContext ->
                        create.apply(entityContext.getEntityId(), entityContext.getShard()))
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(
                            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }
}

package io.entwine.deploy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ClusterShardingHealthCheck;
import org.apache.pekko.cluster.sharding.ClusterShardingHealthCheckSettings;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Readiness: every shard region this node started has registered with its coordinator, so a request
 * to any entity is routed at once instead of waiting in the region's buffer (on a node that just
 * joined a loaded cluster, long enough for the caller's ask to time out). Pekko's own {@link
 * ClusterShardingHealthCheck} does the asking; it needs the regions' names, which are known only
 * once the node has started them all ({@link NodeStartup}), so it is built then. Like Pekko's, the
 * check stays passed once it passed, so a coordinator moving later does not take every node out of
 * the load balancer at once.
 */
public final class ShardingReadiness implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;
  private final NodeStartup startup;
  private volatile ClusterShardingHealthCheck check;

  public ShardingReadiness(ActorSystem system) {
    this.system = system;
    this.startup = NodeStartup.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (!startup.isServing()) {
      return CompletableFuture.completedFuture(false);
    }
    if (check == null) {
      ClusterSharding sharding = ClusterSharding.get(system);
      ClusterShardingHealthCheckSettings settings =
          ClusterShardingHealthCheckSettings.apply(
              system.settings().config().getConfig("pekko.cluster.sharding.healthcheck"));
      check =
          new ClusterShardingHealthCheck(
              system,
              new ClusterShardingHealthCheckSettings(
                  CollectionConverters.asScala(sharding.getShardTypeNames()).toSet(),
                  settings.timeout()),
              sharding::shardRegion);
    }
    return FutureConverters.asJava(check.apply()).thenApply(Boolean.TRUE::equals);
  }
}

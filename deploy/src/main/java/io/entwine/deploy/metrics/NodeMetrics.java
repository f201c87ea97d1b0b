package io.entwine.deploy.metrics;

import io.entwine.concurrent.AsyncPermits;
import io.entwine.ingress.AcknowledgedEvents;
import io.entwine.projection.SliceLag;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * The node's metrics in the Prometheus text format, served by {@link MetricsEndpoint} on the
 * management endpoint (docs/operations.md, "Metrics"). The node registers what only it knows once
 * it has started its services; until then there is nothing to scrape.
 */
public final class NodeMetrics implements Extension {

  /** The parts of a started node the metrics read. */
  public record Sources(
      Supplier<CompletionStage<List<SliceLag>>> projectionLags,
      AcknowledgedEvents acknowledgedEvents,
      AsyncPermits eventPermits,
      IntSupplier mqttConnections) {}

  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
  private static final List<String> MEMBER_STATUSES =
      List.of(
          "Joining",
          "WeaklyUp",
          "Up",
          "PreparingForShutdown",
          "ReadyForShutdown",
          "Leaving",
          "Exiting",
          "Down");

  // Continuations only format text; the completing thread does (the 2-core pool trap in
  // docs/performance.md, "The stack measured bare").
  private static final Executor SAME_THREAD = Runnable::run;

  private final ActorSystem<?> system;
  private final AtomicReference<Sources> sources = new AtomicReference<>();

  private NodeMetrics(ActorSystem<?> system) {
    this.system = system;
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public void register(Sources started) {
    sources.set(started);
  }

  /** The current metrics; empty while the node is starting. */
  public Optional<CompletionStage<String>> scrape() {
    Sources started = sources.get();
    if (started == null) {
      return Optional.empty();
    }
    CompletableFuture<Optional<List<SliceLag>>> lags = projectionLags(started);
    CompletableFuture<Map<String, Integer>> entities = activeEntities();
    return Optional.of(
        lags.thenCombineAsync(
            entities, (lag, active) -> render(started, lag, active), SAME_THREAD));
  }

  private String render(
      Sources started, Optional<List<SliceLag>> lags, Map<String, Integer> activeEntities) {
    PrometheusText text = new PrometheusText();
    clusterMembers(text);
    text.gauge(
        "entwine_entities_active",
        "Sharded entities running on this node, per entity type (DeviceTwin: the device twins;"
            + " sharded-daemon-process-*: the projection slices this node runs)");
    activeEntities.forEach(
        (type, count) -> text.sample("entwine_entities_active", count, "type", type));
    text.gauge("entwine_mqtt_connections", "MQTT connections open on this node")
        .sample("entwine_mqtt_connections", started.mqttConnections().getAsInt());
    text.counter(
        "entwine_events_acknowledged_total",
        "Device events this node acknowledged after their twin persisted them, per protocol");
    started
        .acknowledgedEvents()
        .byProtocol()
        .forEach(
            (protocol, count) ->
                text.sample("entwine_events_acknowledged_total", count, "protocol", protocol));
    text.gauge(
            "entwine_events_in_flight",
            "Device events handed to twins and not yet persisted (at most"
                + " ENTWINE_MAX_EVENTS_IN_FLIGHT)")
        .sample("entwine_events_in_flight", started.eventPermits().inFlight());
    text.gauge(
            "entwine_event_recordings_waiting",
            "Recordings of device events waiting for room under ENTWINE_MAX_EVENTS_IN_FLIGHT")
        .sample("entwine_event_recordings_waiting", started.eventPermits().waiting());
    projectionLag(text, lags);
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    text.gauge("entwine_jvm_heap_used_bytes", "Heap in use")
        .sample("entwine_jvm_heap_used_bytes", heap.getUsed());
    text.gauge("entwine_jvm_heap_max_bytes", "Largest heap the JVM may use")
        .sample("entwine_jvm_heap_max_bytes", heap.getMax());
    return text.text();
  }

  private void clusterMembers(PrometheusText text) {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Map<String, Integer> byStatus = new TreeMap<>();
    MEMBER_STATUSES.forEach(status -> byStatus.put(status, 0));
    for (Member member : state.getMembers()) {
      byStatus.merge(member.status().toString(), 1, Integer::sum);
    }
    text.gauge("entwine_cluster_members", "Cluster members as this node sees them, per status");
    byStatus.forEach(
        (status, count) -> text.sample("entwine_cluster_members", count, "status", status));
    text.gauge(
            "entwine_cluster_unreachable_members",
            "Members this node's failure detector considers unreachable")
        .sample("entwine_cluster_unreachable_members", state.getUnreachable().size());
  }

  private static void projectionLag(PrometheusText text, Optional<List<SliceLag>> lags) {
    text.gauge(
            "entwine_projection_lag_available",
            "1 when the projection offsets and the journal could be read for the lag, else 0")
        .sample("entwine_projection_lag_available", lags.isPresent() ? 1 : 0);
    text.gauge(
        "entwine_projection_lag_seconds",
        "Write time of the newest event of a slice minus that of the newest event the projection"
            + " processed; NaN while events wait and the slice has stored no offset yet. The same"
            + " on every node (read from Cassandra)");
    lags.orElse(List.of())
        .forEach(
            slice ->
                text.sample(
                    "entwine_projection_lag_seconds",
                    slice.lagMillis() == null ? Double.NaN : slice.lagMillis() / 1000.0,
                    "projection",
                    slice.projection(),
                    "slice",
                    slice.slice()));
  }

  private static CompletableFuture<Optional<List<SliceLag>>> projectionLags(Sources started) {
    CompletableFuture<Optional<List<SliceLag>>> lags = new CompletableFuture<>();
    started
        .projectionLags()
        .get()
        .whenComplete(
            (slices, failure) ->
                lags.complete(Optional.ofNullable(failure == null ? slices : null)));
    return lags.completeOnTimeout(
        Optional.empty(), QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Entities per entity type of this node's shard regions. */
  private CompletableFuture<Map<String, Integer>> activeEntities() {
    ClusterSharding sharding = ClusterSharding.get(Adapter.toClassic(system));
    List<String> types = new ArrayList<>(sharding.getShardTypeNames());
    List<CompletableFuture<Integer>> counts =
        types.stream().map(type -> entityCount(sharding, type)).toList();
    return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              Map<String, Integer> byType = new TreeMap<>();
              for (int i = 0; i < types.size(); i++) {
                Integer count = counts.get(i).join();
                if (count != null) {
                  byType.put(types.get(i), count);
                }
              }
              return byType;
            },
            SAME_THREAD);
  }

  /** The entities of one region on this node; null when the region does not answer in time. */
  private static CompletableFuture<Integer> entityCount(ClusterSharding sharding, String type) {
    return Patterns.ask(
            sharding.shardRegion(type), ShardRegion.getRegionStatsInstance(), QUERY_TIMEOUT)
        .toCompletableFuture()
        .handleAsync(
            (stats, failure) ->
                stats instanceof ShardRegion.ShardRegionStats regionStats
                    ? regionStats.getStats().values().stream()
                        .mapToInt(count -> ((Number) count).intValue())
                        .sum()
                    : null,
            SAME_THREAD);
  }

  private static final class Id extends ExtensionId<NodeMetrics> {
    static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics(system);
    }
  }
}

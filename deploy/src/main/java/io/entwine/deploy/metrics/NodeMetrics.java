package io.entwine.deploy.metrics;

import io.entwine.concurrent.AsyncPermits;
import io.entwine.metrics.Meters;
import io.entwine.projection.SliceLag;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * The node's metrics: a Micrometer registry exported in the Prometheus text format by {@link
 * MetricsEndpoint} on the management endpoint (docs/operations.md, "Metrics"; docs/adr/0051). The
 * node's modules record into it through {@link Meters}; this class adds the JVM and process meters,
 * build information, and the gauges only a started node can read. Projection lag and active
 * entities are read at each scrape, as before; until the node has registered its services there is
 * nothing to scrape.
 */
public final class NodeMetrics implements Extension {

  /** The parts of a started node the metrics read. */
  public record Sources(
      Supplier<CompletionStage<List<SliceLag>>> projectionLags,
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

  // Continuations only copy values; the completing thread does (the 2-core pool trap in
  // docs/performance.md, "The stack measured bare").
  private static final Executor SAME_THREAD = Runnable::run;

  private final ActorSystem<?> system;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Sources> sources = new AtomicReference<>();
  private final GaugeFamily projectionLag;
  private final GaugeFamily activeEntities;
  private volatile int projectionLagAvailable;

  private NodeMetrics(ActorSystem<?> system) {
    this.system = system;
    ExportFilters.apply(registry);
    Meters.use(system, registry);
    bindJvmAndProcess(system, registry);
    BuildInfo.register(registry);
    this.projectionLag =
        new GaugeFamily(
            registry,
            "entwine.projection.lag",
            "Write time of the newest event of a slice minus that of the newest event the"
                + " projection processed; NaN while events wait and the slice has stored no offset"
                + " yet. The same on every node (read from Cassandra)",
            "seconds",
            List.of("projection", "slice"));
    this.activeEntities =
        new GaugeFamily(
            registry,
            "entwine.entities.active",
            "Sharded entities running on this node, per entity type (DeviceTwin: the device twins;"
                + " sharded-daemon-process-*: the projection slices this node runs)",
            null,
            List.of("type"));
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** The registry the node exports (the Cassandra driver's meters go here too). */
  MeterRegistry registry() {
    return registry;
  }

  /** The gauges that read a started node's services; from now on {@link #scrape} answers. */
  public void register(Sources started) {
    Gauge.builder("entwine.mqtt.connections", started.mqttConnections()::getAsInt)
        .description("MQTT connections open on this node")
        .register(registry);
    AsyncPermits permits = started.eventPermits();
    Gauge.builder("entwine.events.in.flight", permits::inFlight)
        .description(
            "Device events handed to twins and not yet persisted (at most"
                + " ENTWINE_MAX_EVENTS_IN_FLIGHT)")
        .register(registry);
    Gauge.builder("entwine.event.recordings.waiting", permits::waiting)
        .description(
            "Recordings of device events waiting for room under ENTWINE_MAX_EVENTS_IN_FLIGHT")
        .register(registry);
    Gauge.builder("entwine.projection.lag.available", () -> projectionLagAvailable)
        .description(
            "1 when the projection offsets and the journal could be read for the lag, else 0")
        .register(registry);
    registerCluster();
    registerHeap();
    sources.set(started);
  }

  /** The current metrics in the Prometheus text format 0.0.4; empty while the node starts. */
  public Optional<CompletionStage<String>> scrape() {
    Sources started = sources.get();
    if (started == null) {
      return Optional.empty();
    }
    CompletableFuture<Optional<List<SliceLag>>> lags = projectionLags(started);
    CompletableFuture<Map<String, Integer>> entities = activeEntities();
    return Optional.of(
        lags.thenCombineAsync(
            entities,
            (lag, active) -> {
              update(lag, active);
              return registry.scrape();
            },
            SAME_THREAD));
  }

  private void update(Optional<List<SliceLag>> lags, Map<String, Integer> active) {
    projectionLagAvailable = lags.isPresent() ? 1 : 0;
    Map<List<String>, Double> bySlice = new HashMap<>();
    for (SliceLag slice : lags.orElse(List.of())) {
      bySlice.put(
          List.of(slice.projection(), slice.slice()),
          slice.lagMillis() == null ? Double.NaN : slice.lagMillis() / 1000.0);
    }
    projectionLag.set(bySlice);
    Map<List<String>, Double> byType = new HashMap<>();
    active.forEach((type, count) -> byType.put(List.of(type), count.doubleValue()));
    activeEntities.set(byType);
  }

  private void registerCluster() {
    for (String status : MEMBER_STATUSES) {
      Gauge.builder("entwine.cluster.members", () -> members(status))
          .description("Cluster members as this node sees them, per status")
          .tag("status", status)
          .register(registry);
    }
    Gauge.builder(
            "entwine.cluster.unreachable.members",
            () -> Cluster.get(system).state().getUnreachable().size())
        .description("Members this node's failure detector considers unreachable")
        .register(registry);
  }

  private int members(String status) {
    int count = 0;
    for (Member member : Cluster.get(system).state().getMembers()) {
      if (member.status().toString().equals(status)) {
        count++;
      }
    }
    return count;
  }

  /** The two heap gauges docs/operations.md has named since before the JVM meters. */
  private void registerHeap() {
    Gauge.builder(
            "entwine.jvm.heap.used",
            () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .description("Heap in use")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder(
            "entwine.jvm.heap.max",
            () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax())
        .description("Largest heap the JVM may use")
        .baseUnit("bytes")
        .register(registry);
  }

  private static void bindJvmAndProcess(ActorSystem<?> system, MeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    system.getWhenTerminated().thenRun(gc::close);
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
              Map<String, Integer> byType = new HashMap<>();
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

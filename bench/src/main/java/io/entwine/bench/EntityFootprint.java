package io.entwine.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Heap per resident sharded entity for four entity implementations on Pekko 1.2.1, to weigh a
 * lighter twin before building one (issue 25, docs/adr/0075): a typed {@code EventSourcedBehavior}
 * wrapped as Entwine wraps its twin (enforced replies, a backoff supervisor on journal failures, a
 * stop message, a retention, tags), a classic {@code PersistentActor} with the same state and
 * event, and a plain typed and plain classic sharded actor. Each variant runs in its own JVM: one
 * node joins itself, {@code --warm} entities are woken and persist one event, the live heap is
 * counted (class histogram, which collects first), {@code --entities} more are woken the same way
 * and counted again; the difference per entity is printed, with the classes that grew most. The
 * journal is Pekko's in-memory one, so pekko-persistence-cassandra's per-actor costs (its tag
 * writers' watch, about 150 bytes a twin) are not in these figures.
 *
 * <p>Usage: {@code java -cp bench.classpath io.entwine.bench.EntityFootprint typed-es|classic-es|
 * typed-plain|classic-plain [--entities N] [--warm N]}
 */
public final class EntityFootprint {

  /** The entity's one command: persist (or keep) a reading and answer. */
  public record Record(String entityId, long value, ActorRef<Long> replyTo) {}

  /** The classic variants' command, answered to the asker. */
  public record ClassicRecord(String entityId, long value) {}

  /** The event both persistent variants write. */
  public record Recorded(long value) {}

  /** A tiny state, as a twin's last reading. */
  public record Last(long value) {}

  static final EntityTypeKey<Record> KEY = EntityTypeKey.create(Record.class, "Footprint");
  static final Set<String> TAGS = Set.of("footprint-0");
  static final BackoffSupervisorStrategy BACKOFF =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private EntityFootprint() {}

  public static void main(String[] args) throws Exception {
    String variant = args[0];
    int entities = intArg(args, "--entities", 20_000);
    int warm = intArg(args, "--warm", 1_000);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "footprint", config());
    try {
      Cluster cluster = Cluster.get(Adapter.toClassic(system));
      cluster.join(cluster.selfAddress());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (cluster.selfMember().status() != org.apache.pekko.cluster.MemberStatus.up()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the node did not come up");
        }
        Thread.onSpinWait();
      }
      Waker waker = waker(variant, system);
      wake(waker, "warm-", warm);
      Map<String, long[]> before = histogram();
      wake(waker, "", entities);
      Map<String, long[]> after = histogram();
      report(variant, entities, before, after);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  interface Waker {
    CompletionStage<?> wake(String entityId);
  }

  static Waker waker(String variant, ActorSystem<Void> system) {
    Duration timeout = Duration.ofSeconds(30);
    switch (variant) {
      case "typed-es", "typed-plain" -> {
        ClusterSharding sharding = ClusterSharding.get(system);
        boolean persistent = variant.equals("typed-es");
        sharding.init(
            Entity.of(
                    KEY,
                    context ->
                        persistent
                            ? new TypedTwin(context.getEntityId())
                            : TypedPlain.create(context.getEntityId()))
                .withStopMessage(new Record("", -1, null)));
        return id ->
            sharding
                .entityRefFor(KEY, id)
                .ask((ActorRef<Long> replyTo) -> new Record(id, 1, replyTo), timeout);
      }
      case "classic-es", "classic-plain" -> {
        boolean persistent = variant.equals("classic-es");
        org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
        org.apache.pekko.actor.ActorRef region =
            org.apache.pekko.cluster.sharding.ClusterSharding.get(classic)
                .start(
                    "Footprint",
                    persistent ? Props.create(ClassicTwin.class) : Props.create(ClassicPlain.class),
                    ClusterShardingSettings.create(classic),
                    new ShardRegion.HashCodeMessageExtractor(100) {
                      @Override
                      public String entityId(Object message) {
                        return ((ClassicRecord) message).entityId();
                      }
                    });
        return id -> Patterns.ask(region, new ClassicRecord(id, 1), timeout);
      }
      default -> throw new IllegalArgumentException("unknown variant " + variant);
    }
  }

  /** Wakes {@code count} entities named like a twin, at most 500 asks in flight. */
  static void wake(Waker waker, String prefix, int count) throws Exception {
    Semaphore inFlight = new Semaphore(500);
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      CompletableFuture<?> answered =
          waker
              .wake(String.format("bench/footprint/%sd%06d", prefix, i))
              .toCompletableFuture()
              .whenComplete((answer, failure) -> inFlight.release());
      pending.add(answered);
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
  }

  /** Live heap by class (instances, bytes), after the full collection the histogram runs. */
  static Map<String, long[]> histogram() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> byClass = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] cells = line.trim().split("\\s+");
      if (cells.length >= 4 && cells[0].endsWith(":")) {
        byClass.put(cells[3], new long[] {Long.parseLong(cells[1]), Long.parseLong(cells[2])});
      } else if (cells.length == 3 && cells[0].equals("Total")) {
        byClass.put("Total", new long[] {Long.parseLong(cells[1]), Long.parseLong(cells[2])});
      }
    }
    return byClass;
  }

  static void report(
      String variant, int entities, Map<String, long[]> before, Map<String, long[]> after) {
    long total = after.get("Total")[1] - before.get("Total")[1];
    System.out.printf(
        "RESULT variant=%s entities=%d bytes-per-entity=%.0f objects-per-entity=%.1f%n",
        variant,
        entities,
        (double) total / entities,
        (double) (after.get("Total")[0] - before.get("Total")[0]) / entities);
    after.entrySet().stream()
        .filter(entry -> !entry.getKey().equals("Total"))
        .map(
            entry -> {
              long[] earlier = before.getOrDefault(entry.getKey(), new long[2]);
              return Map.entry(
                  entry.getKey(),
                  new long[] {entry.getValue()[0] - earlier[0], entry.getValue()[1] - earlier[1]});
            })
        .filter(entry -> entry.getValue()[1] > entities * 4L)
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .forEach(
            entry ->
                System.out.printf(
                    "  %8.1f B %5.2f objects  %s%n",
                    (double) entry.getValue()[1] / entities,
                    (double) entry.getValue()[0] / entities,
                    entry.getKey()));
  }

  static Config config() {
    return ConfigFactory.parseString(
            """
            pekko.loglevel = WARNING
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.cluster.sharding.number-of-shards = 100
            pekko.cluster.sharding.passivation {
              strategy = default-strategy
              default-strategy.idle-entity.timeout = 30 minutes
              default-strategy.active-entity-limit = 100000
              default-strategy.admission.window.policy = none
              default-strategy.admission.filter = none
              default-strategy.replacement.least-recently-used.segmented.levels = none
            }
            pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
            pekko.persistence.journal.inmem.test-serialization = off
            pekko.persistence.snapshot-store.plugin = "pekko.persistence.no-snapshot-store"
            """)
        .withFallback(ConfigFactory.load());
  }

  static int intArg(String[] args, String name, int fallback) {
    for (int i = 1; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  /** Built as Entwine builds a twin (EventSourcedEntity, DeviceTwin), with a tiny state. */
  static final class TypedTwin
      extends EventSourcedBehaviorWithEnforcedReplies<Record, Recorded, Last> {
    static final Last EMPTY = new Last(0);
    static final EventHandler<Last, Recorded> EVENTS = (state, event) -> new Last(event.value());
    static final RetentionCriteria RETENTION = RetentionCriteria.snapshotEvery(100, 2);

    TypedTwin(String entityId) {
      super(PersistenceId.of(KEY.name(), entityId), BACKOFF);
    }

    @Override
    public Last emptyState() {
      return EMPTY;
    }

    @Override
    public CommandHandlerWithReply<Record, Recorded, Last> commandHandler() {
      return (state, command) ->
          command.replyTo() == null
              ? Effect().stop().thenNoReply()
              : Effect()
                  .persist(new Recorded(command.value()))
                  .thenReply(command.replyTo(), last -> last.value());
    }

    @Override
    public EventHandler<Last, Recorded> eventHandler() {
      return EVENTS;
    }

    @Override
    public Set<String> tagsFor(Recorded event) {
      return TAGS;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RETENTION;
    }
  }

  /** The same entity as a classic persistent actor. */
  static final class ClassicTwin extends AbstractPersistentActor {
    private final String persistenceId = "Footprint|" + getSelf().path().name();
    private Last state = TypedTwin.EMPTY;

    @Override
    public String persistenceId() {
      return persistenceId;
    }

    @Override
    public Receive createReceiveRecover() {
      return receiveBuilder()
          .match(Recorded.class, event -> state = new Last(event.value()))
          .build();
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              ClassicRecord.class,
              command ->
                  persist(
                      new Recorded(command.value()),
                      event -> {
                        state = new Last(event.value());
                        getSender().tell(state.value(), getSelf());
                      }))
          .build();
    }
  }

  /** A plain typed sharded actor holding the same state (no persistence). */
  static final class TypedPlain {
    static Behavior<Record> create(String entityId) {
      return Behaviors.setup(context -> running(new Last(0)));
    }

    static Behavior<Record> running(Last state) {
      return Behaviors.receiveMessage(
          command -> {
            if (command.replyTo() == null) {
              return Behaviors.stopped();
            }
            command.replyTo().tell(command.value());
            return running(new Last(command.value()));
          });
    }
  }

  /** A plain classic sharded actor holding the same state. */
  static final class ClassicPlain extends AbstractActor {
    private Last state = TypedTwin.EMPTY;

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              ClassicRecord.class,
              command -> {
                state = new Last(command.value());
                getSender().tell(state.value(), getSelf());
              })
          .build();
    }
  }
}

package io.entwine.registry.view;

import io.entwine.identity.DeviceKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the IBM v0002 profiles (deviceInfo, location) of devices into the registry read model when
 * they were set before profile changes carried the registry tag (docs/adr/0070): once per
 * installation, one instance in the cluster asks every device the registry lists to persist its
 * profile again ({@code TwinCommand.RepublishProfile}), which the registry projection then applies
 * in the device's event order like any other change. Done is recorded in {@code
 * registry_backfills}; a run with a device that did not answer is tried again later, and a run
 * again only re-persists profiles the registry already has.
 */
public final class RegistryProfileBackfill {
  private static final Logger log = LoggerFactory.getLogger(RegistryProfileBackfill.class);

  /** The row of {@code registry_backfills} that says the backfill is done. */
  public static final String NAME = "device-profiles";

  /** Twins woken at once: each is a journal recovery, so the backfill stays a background load. */
  private static final int PARALLELISM = 4;

  private static final Duration RETRY_AFTER = Duration.ofMinutes(1);

  private final CassandraSession session;
  private final String keyspace;
  private final Function<DeviceKey, CompletionStage<?>> republish;

  RegistryProfileBackfill(
      CassandraSession session,
      String keyspace,
      Function<DeviceKey, CompletionStage<?>> republish) {
    this.session = session;
    this.keyspace = keyspace;
    this.republish = republish;
  }

  private enum Tick {
    START,
    FAILED,
    DONE
  }

  /**
   * Starts the backfill's single instance, {@code delay} after the node starts (so that the
   * registry projection has listed the devices registered before the upgrade).
   */
  public static void init(
      ActorSystem<?> system,
      CassandraSession session,
      String keyspace,
      Function<DeviceKey, CompletionStage<?>> republish,
      Duration delay) {
    RegistryProfileBackfill backfill = new RegistryProfileBackfill(session, keyspace, republish);
    ShardedDaemonProcess.get(system)
        .init(
            Tick.class,
            "RegistryProfileBackfill",
            1,
            index -> backfill.behavior(delay),
            ShardedDaemonProcessSettings.create(system),
            java.util.Optional.empty());
  }

  private Behavior<Tick> behavior(Duration delay) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startSingleTimer(Tick.START, delay);
                  return Behaviors.receiveMessage(
                      tick -> {
                        if (tick == Tick.START) {
                          context.pipeToSelf(
                              runOnce(context.getSystem()),
                              (done, failure) -> {
                                if (failure == null) {
                                  return Tick.DONE;
                                }
                                log.warn(
                                    "The device profile backfill stopped; it runs again in {}: {}",
                                    RETRY_AFTER,
                                    failure.toString());
                                return Tick.FAILED;
                              });
                        } else if (tick == Tick.FAILED) {
                          timers.startSingleTimer(Tick.START, RETRY_AFTER);
                        }
                        return Behaviors.same();
                      });
                }));
  }

  /** Done at once when recorded as done; otherwise every listed device, then the record. */
  CompletionStage<Done> runOnce(ActorSystem<?> system) {
    return session
        .selectOne(
            "SELECT finished_at FROM " + keyspace + ".registry_backfills WHERE name = ?", NAME)
        .thenCompose(
            finished ->
                finished.isPresent()
                    ? java.util.concurrent.CompletableFuture.completedFuture(Done.done())
                    : republishAll(system));
  }

  private CompletionStage<Done> republishAll(ActorSystem<?> system) {
    AtomicLong devices = new AtomicLong();
    AtomicLong unanswered = new AtomicLong();
    log.info("Backfilling the registry's device profiles");
    return session
        .select("SELECT org, type, id FROM " + keyspace + ".registry_devices")
        .mapAsyncUnordered(
            PARALLELISM,
            row ->
                republish
                    .apply(new DeviceKey(row.getString(0), row.getString(1), row.getString(2)))
                    .handle(
                        (reply, failure) -> {
                          devices.incrementAndGet();
                          if (failure != null) {
                            unanswered.incrementAndGet();
                          }
                          return Done.done();
                        }))
        .runWith(Sink.ignore(), system)
        .thenCompose(
            scanned -> {
              if (unanswered.get() > 0) {
                throw new IllegalStateException(
                    unanswered.get() + " of " + devices.get() + " devices did not answer");
              }
              log.info("Backfilled the registry's device profiles of {} devices", devices.get());
              return session.executeWrite(
                  "INSERT INTO "
                      + keyspace
                      + ".registry_backfills (name, finished_at) VALUES (?, ?)",
                  NAME,
                  Instant.now());
            });
  }
}

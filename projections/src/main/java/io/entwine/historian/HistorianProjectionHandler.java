package io.entwine.historian;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Payloads;
import io.entwine.projection.TwinJournal;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import io.entwine.usage.UsageRecorder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Writes recorded events into the historian: the raw events (idempotent upserts), and for every
 * numeric field of a JSON event its device roll-up and its slice's device-type roll-up for the
 * event's hour. A journal event holding several readings ({@link TwinEvent.EventsRecorded}) becomes
 * one historical event per reading. Every roll-up row is read, extended with the events it does not
 * hold yet (by reading number) and written whole, so a batch replayed after a crash — even one that
 * stopped half-way through its writes — adds nothing twice.
 *
 * <p>Each slice's instance is the only writer of its roll-up rows, so the rows it wrote are kept in
 * a bounded cache and read from Cassandra only on a miss. The cache is dropped when the projection
 * (re)starts and when a batch fails, because a failed write may or may not have been applied.
 *
 * <p>Rows are written with the TTLs of their organization's retention, looked up once per batch
 * (ADR 0065).
 */
public final class HistorianProjectionHandler extends Handler<List<EventEnvelope<TwinEvent>>> {

  static final int CACHE_SIZE = 20_000;

  private static final CompletableFuture<Done> DONE =
      CompletableFuture.completedFuture(Done.done());

  private final HistorianRepository repository;
  private final HistorianRetention retention;
  private final UsageRecorder usage;
  private final LruCache<DeviceRollup.Key, DeviceRollup> deviceRollups = new LruCache<>(CACHE_SIZE);
  private final LruCache<TypeRollup.Key, TypeRollup> typeRollups = new LruCache<>(CACHE_SIZE);

  /** A handler that keeps every organization's history for ever and counts no usage. */
  public HistorianProjectionHandler(HistorianRepository repository) {
    this(repository, HistorianRetention.UNLIMITED);
  }

  /** A handler that writes the historian only (tests and benchmarks of the historian). */
  public HistorianProjectionHandler(HistorianRepository repository, HistorianRetention retention) {
    this(repository, retention, null);
  }

  /** A handler that also counts each device's usage per day ({@code usage}, docs/adr/0063). */
  public HistorianProjectionHandler(
      HistorianRepository repository, HistorianRetention retention, UsageRecorder usage) {
    this.repository = repository;
    this.retention = retention;
    this.usage = usage;
  }

  @Override
  public CompletionStage<Done> start() {
    clearCaches();
    return DONE;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<TwinEvent>> envelopes) {
    List<HistoricalEvent> events = readings(envelopes);
    if (events.isEmpty()) {
      return DONE;
    }
    Set<String> orgs = new HashSet<>();
    events.forEach(event -> orgs.add(event.device().org()));
    CompletableFuture<Done> counted =
        usage == null ? DONE : usage.record(envelopes).toCompletableFuture();
    return retention
        .ttls(orgs)
        .toCompletableFuture()
        .thenCompose(ttls -> write(events, ttls))
        .thenCombine(counted, (written, c) -> Done.done())
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                clearCaches();
              }
            });
  }

  private CompletableFuture<Done> write(List<HistoricalEvent> events, RowTtls ttls) {
    CompletableFuture<Done> stored = repository.store(events, ttls).toCompletableFuture();
    CompletableFuture<Done> rolledUp = updateRollups(events, ttls);
    return stored.thenCombine(rolledUp, (s, r) -> Done.done());
  }

  /**
   * The readings of {@code envelopes}, in order: one per {@link EventRecorded}, one per reading of
   * an {@link TwinEvent.EventsRecorded}, and a device's reported-state patch ({@link
   * ReportedStatePatched}, not one made of recorded events) as a JSON event {@code state} whose
   * {@code d} is the patch, so its numeric leaves are summarized like an event's; other events hold
   * none.
   */
  static List<HistoricalEvent> readings(List<EventEnvelope<TwinEvent>> envelopes) {
    List<HistoricalEvent> readings = new ArrayList<>();
    TwinJournal.forEachReading(
        envelopes,
        HistorianProjectionHandler::recordedIn,
        (device, readingNr, reading) -> readings.add(historical(device, readingNr, reading)));
    return readings;
  }

  private static HistoricalEvent historical(
      DeviceKey device, long readingNr, EventRecorded reading) {
    return new HistoricalEvent(
        device,
        reading.eventId(),
        Buckets.millis(reading.timestamp()),
        readingNr,
        reading.format(),
        reading.payload());
  }

  private static List<EventRecorded> recordedIn(TwinEvent event) {
    if (event instanceof ReportedStatePatched patched && !patched.fromEvents()) {
      ObjectNode iotf = JsonNodeFactory.instance.objectNode();
      iotf.set("d", patched.patch());
      return List.of(
          new EventRecorded(
              ReportedStatePatched.HISTORIAN_EVENT_ID,
              Payloads.JSON,
              iotf.toString().getBytes(StandardCharsets.UTF_8),
              patched.at(),
              patched.at()));
    }
    return TwinJournal.readingsIn(event);
  }

  private CompletableFuture<Done> updateRollups(List<HistoricalEvent> events, RowTtls ttls) {
    Map<DeviceRollup.Key, List<DeviceRollup.Contribution>> byDevice = new LinkedHashMap<>();
    Map<TypeRollup.Key, List<DeviceRollup.Contribution>> byType = new LinkedHashMap<>();
    for (HistoricalEvent event : events) {
      Map<String, Double> fields = NumericFields.of(event.format(), event.payload());
      if (fields.isEmpty()) {
        continue;
      }
      DeviceKey device = event.device();
      long hour = Buckets.start(event.timestamp(), Buckets.HOUR);
      String slice = DeviceTwin.tagFor(device.entityId());
      fields.forEach(
          (field, value) -> {
            DeviceRollup.Contribution contribution =
                new DeviceRollup.Contribution(device.id(), event.seqNr(), value);
            byDevice
                .computeIfAbsent(
                    new DeviceRollup.Key(device, event.evtType(), hour, field),
                    k -> new ArrayList<>())
                .add(contribution);
            byType
                .computeIfAbsent(
                    new TypeRollup.Key(
                        device.org(), device.type(), slice, event.evtType(), hour, field),
                    k -> new ArrayList<>())
                .add(contribution);
          });
    }
    return updateDevices(byDevice, ttls)
        .thenCombine(updateTypes(byType, ttls), (d, t) -> Done.done());
  }

  private CompletableFuture<Done> updateDevices(
      Map<DeviceRollup.Key, List<DeviceRollup.Contribution>> contributions, RowTtls ttls) {
    return currentAll(
            contributions.keySet(), deviceRollups, repository::deviceRollup, DeviceRollup.EMPTY)
        .thenCompose(
            current -> {
              Map<DeviceRollup.Key, DeviceRollup> changed = new LinkedHashMap<>();
              contributions.forEach(
                  (key, added) -> {
                    DeviceRollup rollup = current.get(key);
                    DeviceRollup updated = rollup.plus(added);
                    if (updated != rollup) {
                      changed.put(key, updated);
                    }
                  });
              if (changed.isEmpty()) {
                return DONE;
              }
              return repository
                  .saveDeviceRollups(changed, ttls)
                  .thenApply(done -> deviceRollups.putAll(changed));
            });
  }

  private CompletableFuture<Done> updateTypes(
      Map<TypeRollup.Key, List<DeviceRollup.Contribution>> contributions, RowTtls ttls) {
    return currentAll(contributions.keySet(), typeRollups, repository::typeRollup, TypeRollup.EMPTY)
        .thenCompose(
            current -> {
              Map<TypeRollup.Key, TypeRollup.Update> changed = new LinkedHashMap<>();
              contributions.forEach(
                  (key, added) -> {
                    TypeRollup.Update update = current.get(key).plus(added);
                    if (!update.isEmpty()) {
                      changed.put(key, update);
                    }
                  });
              if (changed.isEmpty()) {
                return DONE;
              }
              Map<TypeRollup.Key, TypeRollup> updated = new LinkedHashMap<>();
              changed.forEach((key, update) -> updated.put(key, update.rollup()));
              return repository
                  .saveTypeRollups(changed, ttls)
                  .thenApply(done -> typeRollups.putAll(updated));
            });
  }

  /** The current roll-up of every key: from the cache, else read (absent means empty). */
  private static <K, V> CompletableFuture<Map<K, V>> currentAll(
      Set<K> keys, LruCache<K, V> cache, Function<K, CompletionStage<Optional<V>>> load, V empty) {
    Map<K, CompletableFuture<V>> loading = new LinkedHashMap<>();
    for (K key : keys) {
      loading.put(key, current(key, cache, load, empty));
    }
    return CompletableFuture.allOf(loading.values().toArray(CompletableFuture[]::new))
        .thenApply(
            all -> {
              Map<K, V> current = new HashMap<>();
              loading.forEach((key, value) -> current.put(key, value.join()));
              return current;
            });
  }

  private static <K, V> CompletableFuture<V> current(
      K key, LruCache<K, V> cache, Function<K, CompletionStage<Optional<V>>> load, V empty) {
    V cached = cache.get(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return load.apply(key).toCompletableFuture().thenApply(found -> found.orElse(empty));
  }

  private void clearCaches() {
    deviceRollups.clear();
    typeRollups.clear();
    if (usage != null) {
      usage.clear();
    }
  }

  /** A small synchronized LRU map; writes complete on driver threads. */
  static final class LruCache<K, V> {
    private final Map<K, V> entries;

    LruCache(int maxSize) {
      this.entries =
          new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
              return size() > maxSize;
            }
          };
    }

    synchronized V get(K key) {
      return entries.get(key);
    }

    synchronized Done putAll(Map<K, V> values) {
      entries.putAll(values);
      return Done.done();
    }

    synchronized void clear() {
      entries.clear();
    }
  }
}

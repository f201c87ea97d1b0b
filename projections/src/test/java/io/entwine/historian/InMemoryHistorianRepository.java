package io.entwine.historian;

import io.entwine.identity.DeviceKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;

/**
 * The historian's tables in memory. It can crash: after {@link #crashAfterWrites} more writes,
 * every write fails — the one that crosses the limit after it was applied (as a timed-out write
 * that did reach Cassandra), the rest before — until {@link #recover()}.
 */
final class InMemoryHistorianRepository implements HistorianRepository {

  record EventKey(DeviceKey device, long seqNr) {}

  final Map<EventKey, HistoricalEvent> events = new ConcurrentHashMap<>();
  final Map<DeviceRollup.Key, DeviceRollup> deviceRollups = new ConcurrentHashMap<>();
  final Map<TypeRollup.Key, TypeRollup> typeRollups = new ConcurrentHashMap<>();

  /** The TTL of the last raw-event and roll-up row written per organization. */
  final Map<String, Integer> rawEventTtls = new ConcurrentHashMap<>();

  final Map<String, Integer> rollupTtls = new ConcurrentHashMap<>();
  private final AtomicInteger writesLeft = new AtomicInteger(Integer.MAX_VALUE);
  private final AtomicInteger writes = new AtomicInteger();

  void crashAfterWrites(int count) {
    writesLeft.set(count);
  }

  void recover() {
    writesLeft.set(Integer.MAX_VALUE);
  }

  int writes() {
    return writes.get();
  }

  @Override
  public CompletionStage<Done> store(List<HistoricalEvent> stored, RowTtls ttls) {
    for (HistoricalEvent event : stored) {
      rawEventTtls.put(event.device().org(), ttls.rawEvents(event.device().org()));
      CompletionStage<Done> write =
          write(() -> events.put(new EventKey(event.device(), event.seqNr()), event));
      if (write.toCompletableFuture().isCompletedExceptionally()) {
        return write;
      }
    }
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<Optional<DeviceRollup>> deviceRollup(DeviceRollup.Key key) {
    return CompletableFuture.completedFuture(Optional.ofNullable(deviceRollups.get(key)));
  }

  @Override
  public CompletionStage<Done> saveDeviceRollups(
      Map<DeviceRollup.Key, DeviceRollup> rollups, RowTtls ttls) {
    rollups
        .keySet()
        .forEach(key -> rollupTtls.put(key.device().org(), ttls.rollups(key.device().org())));
    // one write per row: a crash may stop between any two, as between Cassandra's partitions
    for (Map.Entry<DeviceRollup.Key, DeviceRollup> rollup : rollups.entrySet()) {
      CompletionStage<Done> write =
          write(() -> deviceRollups.put(rollup.getKey(), rollup.getValue()));
      if (write.toCompletableFuture().isCompletedExceptionally()) {
        return write;
      }
    }
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<Optional<TypeRollup>> typeRollup(TypeRollup.Key key) {
    return CompletableFuture.completedFuture(Optional.ofNullable(typeRollups.get(key)));
  }

  @Override
  public CompletionStage<Done> saveTypeRollups(
      Map<TypeRollup.Key, TypeRollup.Update> updates, RowTtls ttls) {
    for (Map.Entry<TypeRollup.Key, TypeRollup.Update> entry : updates.entrySet()) {
      TypeRollup.Update update = entry.getValue();
      CompletionStage<Done> write =
          write(
              () ->
                  typeRollups.compute(
                      entry.getKey(),
                      (k, old) -> {
                        // as Cassandra does: the statistics are set, the map only gains entries
                        Map<String, Long> applied =
                            new HashMap<>(old == null ? Map.of() : old.appliedSeqNrs());
                        applied.putAll(update.changedSeqNrs());
                        return new TypeRollup(update.rollup().stats(), Map.copyOf(applied));
                      }));
      if (write.toCompletableFuture().isCompletedExceptionally()) {
        return write;
      }
    }
    return CompletableFuture.completedFuture(Done.done());
  }

  /** The type roll-ups added up over slices, as a query sees them. */
  Map<List<Object>, Stats> typeTotals() {
    Map<List<Object>, Stats> totals = new HashMap<>();
    typeRollups.forEach(
        (key, rollup) ->
            totals.merge(
                List.of(key.org(), key.type(), key.evtType(), key.hour(), key.field()),
                rollup.stats(),
                Stats::plus));
    return totals;
  }

  private CompletionStage<Done> write(Runnable change) {
    int left = writesLeft.getAndDecrement();
    if (left <= 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("crashed before the write"));
    }
    writes.incrementAndGet();
    change.run();
    if (left == 1) {
      return CompletableFuture.failedFuture(new IllegalStateException("crashed after the write"));
    }
    return CompletableFuture.completedFuture(Done.done());
  }
}

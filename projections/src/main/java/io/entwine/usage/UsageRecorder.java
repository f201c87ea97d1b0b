package io.entwine.usage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.entwine.projection.TwinJournal;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * Counts what devices send, per device and UTC day of arrival: the readings ({@link EventRecorded},
 * each reading of an {@link TwinEvent.EventsRecorded}) and the bytes of their payloads. Runs inside
 * the historian projection, one instance per slice: a device's events are all in one slice, so that
 * instance is the only writer of the device's rows, and keeps the rows it wrote in a bounded cache
 * (cleared when the projection restarts or a batch fails, since a failed write may or may not have
 * been applied). A reading counts once, by its reading number, however often it is replayed.
 */
public final class UsageRecorder {

  static final int CACHE_SIZE = 20_000;
  private static final CompletableFuture<Done> DONE =
      CompletableFuture.completedFuture(Done.done());

  private final UsageRepository repository;
  private final Cache<DeviceDay.Key, DeviceDay> written =
      Caffeine.newBuilder().maximumSize(CACHE_SIZE).executor(Runnable::run).build();

  public UsageRecorder(UsageRepository repository) {
    this.repository = repository;
  }

  public CompletionStage<Done> record(List<EventEnvelope<TwinEvent>> envelopes) {
    Map<DeviceDay.Key, Map<Long, Integer>> readings = readings(envelopes);
    if (readings.isEmpty()) {
      return DONE;
    }
    Map<DeviceDay.Key, CompletableFuture<DeviceDay>> current = new LinkedHashMap<>();
    readings.keySet().forEach(key -> current.put(key, current(key)));
    return CompletableFuture.allOf(current.values().toArray(CompletableFuture[]::new))
        .thenCompose(
            all -> {
              Map<DeviceDay.Key, DeviceDay> changed = new HashMap<>();
              readings.forEach(
                  (key, sizes) -> {
                    DeviceDay before = current.get(key).join();
                    DeviceDay after = before;
                    for (Map.Entry<Long, Integer> reading : sizes.entrySet()) {
                      after = after.plus(reading.getKey(), reading.getValue());
                    }
                    if (after != before) {
                      changed.put(key, after);
                    }
                  });
              if (changed.isEmpty()) {
                return DONE;
              }
              return repository
                  .save(changed)
                  .thenApply(
                      done -> {
                        written.putAll(changed);
                        return done;
                      });
            })
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                clear();
              }
            });
  }

  /** Forgets the rows written: the next batch reads them from the store. */
  public void clear() {
    written.invalidateAll();
  }

  private CompletableFuture<DeviceDay> current(DeviceDay.Key key) {
    DeviceDay cached = written.getIfPresent(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return repository
        .deviceDay(key)
        .thenApply(found -> found.orElse(DeviceDay.NONE))
        .toCompletableFuture();
  }

  /** Reading number → payload size, in journal order, per device and day of arrival. */
  static Map<DeviceDay.Key, Map<Long, Integer>> readings(List<EventEnvelope<TwinEvent>> envelopes) {
    Map<DeviceDay.Key, Map<Long, Integer>> readings = new LinkedHashMap<>();
    TwinJournal.forEachReading(
        envelopes,
        TwinJournal::readingsIn,
        (device, readingNr, reading) ->
            readingsOf(readings, new DeviceDay.Key(device, dayOf(reading)))
                .put(readingNr, reading.payload().length));
    return readings;
  }

  private static Map<Long, Integer> readingsOf(
      Map<DeviceDay.Key, Map<Long, Integer>> readings, DeviceDay.Key key) {
    return readings.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  private static long dayOf(EventRecorded reading) {
    return reading.receivedAt().atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
  }
}

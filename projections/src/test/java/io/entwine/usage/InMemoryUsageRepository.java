package io.entwine.usage;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;

/** The usage rows in a map; {@link #failNextSave} makes one save fail after writing half. */
public final class InMemoryUsageRepository implements UsageRepository {
  public final Map<DeviceDay.Key, DeviceDay> rows = new ConcurrentHashMap<>();
  volatile boolean failNextSave;

  @Override
  public CompletionStage<Optional<DeviceDay>> deviceDay(DeviceDay.Key key) {
    return CompletableFuture.completedFuture(Optional.ofNullable(rows.get(key)));
  }

  @Override
  public CompletionStage<Done> save(Map<DeviceDay.Key, DeviceDay> days) {
    if (failNextSave) {
      failNextSave = false;
      days.entrySet().stream()
          .limit(days.size() / 2)
          .forEach(e -> rows.put(e.getKey(), e.getValue()));
      return CompletableFuture.failedFuture(new IllegalStateException("the store failed"));
    }
    rows.putAll(days);
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<List<DeviceOnDay>> devicesOn(String org, long day) {
    return CompletableFuture.completedFuture(
        rows.entrySet().stream()
            .filter(e -> e.getKey().day() == day && e.getKey().device().org().equals(org))
            .map(e -> new DeviceOnDay(e.getKey().device(), e.getValue()))
            .sorted(Comparator.comparing(d -> d.device().entityId()))
            .toList());
  }
}

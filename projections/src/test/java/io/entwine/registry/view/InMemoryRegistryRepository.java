package io.entwine.registry.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.Done;

/**
 * A registry in memory, keyed and ordered like the Cassandra table. It counts writes, and can apply
 * registrations late so that tests see whether a device's writes are issued in order. The route
 * tests of ingress-http seed it directly (test-jar): list endpoints must answer from it, not from
 * the twins.
 */
public final class InMemoryRegistryRepository implements RegistryRepository {

  private static final Comparator<RegisteredDevice> BY_TYPE_AND_ID =
      Comparator.comparing(RegisteredDevice::type).thenComparing(RegisteredDevice::id);

  private final Map<DeviceKey, RegisteredDevice> rows = new ConcurrentHashMap<>();
  private final AtomicInteger writes = new AtomicInteger();
  private final Duration registerLatency;

  public InMemoryRegistryRepository() {
    this(Duration.ZERO);
  }

  public InMemoryRegistryRepository(Duration registerLatency) {
    this.registerLatency = registerLatency;
  }

  public int writes() {
    return writes.get();
  }

  @Override
  public CompletionStage<Done> register(RegisteredDevice device) {
    DeviceKey key = new DeviceKey(device.org(), device.type(), device.id());
    if (registerLatency.isZero()) {
      return write(rows -> rows.put(key, device));
    }
    return CompletableFuture.supplyAsync(
            () -> null,
            CompletableFuture.delayedExecutor(registerLatency.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(late -> write(rows -> rows.put(key, device)));
  }

  @Override
  public CompletionStage<Done> updateMetadata(DeviceKey device, JsonNode metadata, Instant at) {
    return write(
        rows -> rows.computeIfPresent(device, (key, row) -> row(row, metadata, row.enabled())));
  }

  @Override
  public CompletionStage<Done> updateEnabled(DeviceKey device, boolean enabled, Instant at) {
    return write(
        rows -> rows.computeIfPresent(device, (key, row) -> row(row, row.metadata(), enabled)));
  }

  @Override
  public CompletionStage<Done> updateProfile(DeviceKey device, DeviceProfile change, Instant at) {
    return write(rows -> rows.computeIfPresent(device, (key, row) -> row.withProfile(change)));
  }

  @Override
  public CompletionStage<Done> delete(DeviceKey device) {
    return write(rows -> rows.remove(device));
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devices(String org) {
    return CompletableFuture.completedFuture(
        rows.values().stream()
            .filter(row -> row.org().equals(org))
            .sorted(BY_TYPE_AND_ID)
            .toList());
  }

  @Override
  public CompletionStage<List<RegisteredDevice>> devices(String org, String type) {
    return devices(org)
        .thenApply(devices -> devices.stream().filter(row -> row.type().equals(type)).toList());
  }

  @Override
  public CompletionStage<List<DeviceTypeCount>> deviceTypes(String org) {
    return devices(org)
        .thenApply(
            devices ->
                devices.stream()
                    .collect(
                        Collectors.groupingBy(
                            RegisteredDevice::type, TreeMap::new, Collectors.counting()))
                    .entrySet()
                    .stream()
                    .map(entry -> new DeviceTypeCount(entry.getKey(), entry.getValue()))
                    .toList());
  }

  private static RegisteredDevice row(RegisteredDevice row, JsonNode metadata, boolean enabled) {
    return new RegisteredDevice(
        row.org(),
        row.type(),
        row.id(),
        metadata,
        enabled,
        row.registeredBy(),
        row.registeredByType(),
        row.registeredAt(),
        row.profile());
  }

  private CompletionStage<Done> write(Consumer<Map<DeviceKey, RegisteredDevice>> change) {
    writes.incrementAndGet();
    change.accept(rows);
    return CompletableFuture.completedFuture(Done.done());
  }
}

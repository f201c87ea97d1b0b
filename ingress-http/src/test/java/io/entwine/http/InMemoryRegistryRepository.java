package io.entwine.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import io.entwine.registry.DeviceTypeCount;
import io.entwine.registry.RegisteredDevice;
import io.entwine.registry.RegistryRepository;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.pekko.Done;

/**
 * The registry read model in memory, ordered like the Cassandra table. The route tests seed it
 * directly: the list endpoints must answer from it, not from the twins.
 */
public final class InMemoryRegistryRepository implements RegistryRepository {
  private static final Comparator<RegisteredDevice> BY_TYPE_AND_ID =
      Comparator.comparing(RegisteredDevice::type).thenComparing(RegisteredDevice::id);

  private final Map<DeviceKey, RegisteredDevice> rows = new ConcurrentHashMap<>();

  @Override
  public CompletionStage<Done> register(RegisteredDevice device) {
    rows.put(new DeviceKey(device.org(), device.type(), device.id()), device);
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<Done> updateMetadata(DeviceKey device, JsonNode metadata, Instant at) {
    rows.computeIfPresent(
        device,
        (key, row) ->
            new RegisteredDevice(
                row.org(),
                row.type(),
                row.id(),
                metadata,
                row.enabled(),
                row.registeredBy(),
                row.registeredByType(),
                row.registeredAt()));
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<Done> updateEnabled(DeviceKey device, boolean enabled, Instant at) {
    rows.computeIfPresent(
        device,
        (key, row) ->
            new RegisteredDevice(
                row.org(),
                row.type(),
                row.id(),
                row.metadata(),
                enabled,
                row.registeredBy(),
                row.registeredByType(),
                row.registeredAt()));
    return CompletableFuture.completedFuture(Done.done());
  }

  @Override
  public CompletionStage<Done> delete(DeviceKey device) {
    rows.remove(device);
    return CompletableFuture.completedFuture(Done.done());
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
}

package io.entwine.registry.view;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.DeviceProfile;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;

/**
 * The registry read model: which devices an organization has, for the management API's list calls.
 * Written only by {@link RegistryProjectionHandler}. Every write sets values (no increments), so
 * repeating a write leaves the same row.
 */
public interface RegistryRepository {

  /** Writes the whole row, replacing whatever an earlier registration of the same key left. */
  CompletionStage<Done> register(RegisteredDevice device);

  CompletionStage<Done> updateMetadata(DeviceKey device, JsonNode metadata, Instant at);

  CompletionStage<Done> updateEnabled(DeviceKey device, boolean enabled, Instant at);

  /** Sets the parts of the device's profile that {@code change} holds, leaving the others. */
  CompletionStage<Done> updateProfile(DeviceKey device, DeviceProfile change, Instant at);

  CompletionStage<Done> delete(DeviceKey device);

  /** All devices of the organization, ordered by type, then id. */
  CompletionStage<List<RegisteredDevice>> devices(String org);

  /** The organization's devices of one type, ordered by id. */
  CompletionStage<List<RegisteredDevice>> devices(String org, String type);

  /** The organization's device types that have at least one device, ordered by type. */
  CompletionStage<List<DeviceTypeCount>> deviceTypes(String org);

  /**
   * A page of the organization's devices (of {@code type} when not null), ordered by type and id:
   * at most {@code limit} devices that come after ({@code afterType}, {@code afterId}), or from the
   * first when {@code afterType} is null. This default filters {@link #devices(String)}; stores
   * that can seek override it.
   */
  default CompletionStage<List<RegisteredDevice>> devicesAfter(
      String org, String type, String afterType, String afterId, int limit) {
    CompletionStage<List<RegisteredDevice>> all = type == null ? devices(org) : devices(org, type);
    return all.thenApply(
        devices ->
            devices.stream()
                .filter(device -> isAfter(device, afterType, afterId))
                .limit(limit)
                .toList());
  }

  /**
   * At most {@code limit} of the organization's devices of {@code type} whose id is at least {@code
   * fromId} and below {@code toId}, ordered by id: the seek behind a search by id prefix. This
   * default filters {@link #devices(String, String)}; stores that can seek override it.
   */
  default CompletionStage<List<RegisteredDevice>> devicesInIdRange(
      String org, String type, String fromId, String toId, int limit) {
    return devices(org, type)
        .thenApply(
            devices ->
                devices.stream()
                    .filter(device -> isInRange(device.id(), fromId, toId))
                    .limit(limit)
                    .toList());
  }

  /** How many of the organization's devices of {@code type} {@link #devicesInIdRange} covers. */
  default CompletionStage<Long> countInIdRange(
      String org, String type, String fromId, String toId) {
    return devices(org, type)
        .thenApply(
            devices -> devices.stream().filter(d -> isInRange(d.id(), fromId, toId)).count());
  }

  /**
   * A page of the organization's devices (of {@code type} when not null) that {@code filter}
   * accepts, ordered by type and id, after ({@code afterType}, {@code afterId}) as {@link
   * #devicesAfter} pages, and how many devices match in all. It reads every device of the type (or
   * the organization): deviceInfo is JSON that Cassandra cannot index.
   */
  default CompletionStage<MatchingDevices> devicesMatching(
      String org,
      String type,
      String afterType,
      String afterId,
      Predicate<RegisteredDevice> filter,
      int limit) {
    CompletionStage<List<RegisteredDevice>> all = type == null ? devices(org) : devices(org, type);
    return all.thenApply(
        devices -> {
          List<RegisteredDevice> matching = devices.stream().filter(filter).toList();
          List<RegisteredDevice> page =
              matching.stream()
                  .filter(device -> isAfter(device, afterType, afterId))
                  .limit(limit)
                  .toList();
          return new MatchingDevices(page, matching.size());
        });
  }

  /** A page of devices that match a filter, and how many match in all. */
  record MatchingDevices(List<RegisteredDevice> page, long total) {}

  private static boolean isAfter(RegisteredDevice device, String afterType, String afterId) {
    return afterType == null
        || device.type().compareTo(afterType) > 0
        || (device.type().equals(afterType) && device.id().compareTo(afterId) > 0);
  }

  private static boolean isInRange(String id, String fromId, String toId) {
    return id.compareTo(fromId) >= 0 && id.compareTo(toId) < 0;
  }
}

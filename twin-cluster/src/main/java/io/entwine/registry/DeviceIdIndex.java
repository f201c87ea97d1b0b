package io.entwine.registry;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import java.util.List;

/**
 * The device types under which a device id is registered within an organization: Hono addresses
 * devices by id alone ({@code /telemetry/{tenant}/{device}}), IBM by type and id. One table per
 * {@code org/device-id}, where a device claims its type before its registration and releases it
 * after its deletion, so a bare id resolves the moment the device exists. A lookup answers {@link
 * Reply.DeviceTypes} in order, possibly none. A type listed here whose twin is not registered (a
 * registration that failed after the index was updated) is filtered out by the resolver.
 */
public final class DeviceIdIndex {
  public static final ClaimTable<DeviceKey, Reply> TABLE =
      new ClaimTable<>(
          "DeviceIdIndex",
          DeviceKey::type,
          ClaimTable.NO_LIMIT,
          ClaimReplies.unlimited(
              new Reply.Done(),
              (entityId, types) -> new Reply.DeviceTypes(List.copyOf(types.keySet()))));

  private DeviceIdIndex() {}

  public static String entityId(String org, String deviceId) {
    return org + "/" + deviceId;
  }
}

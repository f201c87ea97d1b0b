package io.entwine.registry;

import io.entwine.claims.ClaimReplies;
import io.entwine.claims.ClaimTable;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.util.SortedMap;

/**
 * Which device an auth-id belongs to within an organization (Hono's {@code auth-id@tenant}). One
 * table per {@code org/auth-id} holding at most one device, so a claim is consistent the moment it
 * is acknowledged and two devices can never hold the same auth-id. A claim answers Done when the
 * auth-id is free or already the device's, ALREADY_EXISTS when another's; a lookup {@link
 * Reply.DeviceFound} or NOT_FOUND; a release frees the auth-id if the device holds it.
 */
public final class AuthIdIndex {
  public static final ClaimTable<DeviceKey, Reply> TABLE =
      new ClaimTable<>(
          "AuthIdIndex",
          DeviceKey::entityId,
          1,
          new ClaimReplies<>(new Reply.Done(), AuthIdIndex::found, AuthIdIndex::heldByAnother));

  private AuthIdIndex() {}

  public static String entityId(String org, String authId) {
    return org + "/" + authId;
  }

  private static Reply found(String entityId, SortedMap<String, String> devices) {
    return devices.isEmpty()
        ? new Reply.Rejected(Rejection.NOT_FOUND, "Unknown auth-id '" + authId(entityId) + "'")
        : new Reply.DeviceFound(DeviceKey.fromEntityId(devices.firstKey()));
  }

  private static Reply heldByAnother(String entityId, SortedMap<String, String> devices) {
    DeviceKey owner = DeviceKey.fromEntityId(devices.firstKey());
    return new Reply.Rejected(
        Rejection.ALREADY_EXISTS,
        "Auth-id '"
            + authId(entityId)
            + "' is already used by device "
            + owner.type()
            + "/"
            + owner.id());
  }

  private static String authId(String entityId) {
    return entityId.substring(entityId.indexOf('/') + 1);
  }
}

package io.entwine.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * Every answer an entity gives. One closed set, so that each ingress maps replies to status codes
 * in one place.
 */
public sealed interface Reply extends CborSerializable {

  /** The command was applied and, if it changed anything, persisted. */
  record Done() implements Reply {}

  record Rejected(Rejection reason, String message) implements Reply {
    /**
     * The one answer to every failed authentication, whatever failed (unknown device, unknown key,
     * wrong token), so that answers reveal nothing about which devices or keys exist.
     */
    public static final String UNAUTHORIZED_MESSAGE = "Unknown device or API key, or wrong token";

    public static Rejected unauthorized() {
      return new Rejected(Rejection.UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
    }
  }

  /**
   * The presented secret has not been verified against this stored hash on this node yet; the
   * caller verifies it off the actor (slow hash) and sends the command again.
   */
  record NeedsVerification(String secretHash) implements Reply {}

  record DeviceInfo(
      String org,
      String type,
      String id,
      JsonNode metadata,
      boolean enabled,
      String registeredBy,
      String registeredByType,
      Instant registeredAt,
      long eventCount)
      implements Reply {}

  record LastEvent(String eventId, String format, byte[] payload, Instant timestamp) {}

  record LastEvents(List<LastEvent> events) implements Reply {}

  record OrganizationInfo(String id, String name, Instant created, Instant updated)
      implements Reply {}

  /** A command was queued durably for a device. */
  record CommandAccepted(String commandId) implements Reply {}

  record ApiKeyInfo(String key, String description, Instant created) {}

  record ApiKeys(List<ApiKeyInfo> keys) implements Reply {}
}

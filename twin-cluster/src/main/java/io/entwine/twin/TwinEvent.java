package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.CborSerializable;
import io.entwine.protocol.DeviceProfile;
import java.time.Instant;
import java.util.List;

/**
 * What happened to a {@link DeviceTwin}, as its journal keeps it; {@link TwinState#apply} folds
 * them into the state. Persisted: a class written to the journal keeps its shape, and a renamed or
 * moved one is mapped from its old name in {@link TwinJournalMigration}.
 */
public sealed interface TwinEvent extends CborSerializable {

  public record AttributesUpdated(ObjectNode change, Instant at) implements TwinEvent {}

  public record AttributesDelivered(long version, Instant at) implements TwinEvent {}

  public record DeviceRegistered(
      String org,
      String type,
      String id,
      String secretHash,
      JsonNode metadata,
      String registeredBy,
      String registeredByType,
      Instant at)
      implements TwinEvent {}

  public record MetadataUpdated(JsonNode metadata, Instant at) implements TwinEvent {}

  /**
   * The device's IBM v0002 profile changed: the parts {@code change} holds (deviceInfo, location)
   * replace the twin's, its null parts leave them as they are.
   */
  public record ProfileUpdated(DeviceProfile change, Instant at) implements TwinEvent {}

  public record EnabledChanged(boolean enabled, Instant at) implements TwinEvent {}

  public record DeviceDeleted(Instant at) implements TwinEvent {}

  public record EventRecorded(
      String eventId, String format, byte[] payload, Instant timestamp, Instant receivedAt)
      implements TwinEvent {}

  /**
   * Readings the device sent one after another, in order, as one journal event: one journal row,
   * one tag row and one projection envelope for all of them (ADR 0035).
   */
  public record EventsRecorded(List<EventRecorded> readings) implements TwinEvent {}

  public record CommandQueued(
      String commandId,
      String command,
      String format,
      byte[] payload,
      Instant queuedAt,
      Instant expiresAt)
      implements TwinEvent {}

  /**
   * {@code receiver} got the command: the device's own key, or the gateway's that took it for the
   * device; null in events written before receivers were recorded.
   */
  public record CommandDelivered(String commandId, Instant at, DeviceKey receiver)
      implements TwinEvent {}

  public record CommandExpired(String commandId, Instant at) implements TwinEvent {}

  public record CommandResponded(
      String commandId, int status, String format, byte[] payload, Instant at)
      implements TwinEvent {}

  public record CredentialAdded(
      String type, String authId, String secretHash, String encryptedSecret, Instant at)
      implements TwinEvent {}

  public record CredentialRemoved(String type, String authId, Instant at) implements TwinEvent {}

  public record GatewaysSet(List<DeviceKey> via, Instant at) implements TwinEvent {}

  /** This twin (a gateway) acts for {@code device}, or no longer does. */
  public record ActingForChanged(DeviceKey device, boolean acting, Instant at)
      implements TwinEvent {}

  /** A signed request's nonce, refused when presented again before {@code expiresAt}. */
  public record NonceUsed(String nonce, Instant at, Instant expiresAt) implements TwinEvent {}

  // ---- the twin's state document (StateDocument, issue 19) ----

  /**
   * The device merged {@code patch} (RFC 7396) into its reported state, making it {@code version};
   * {@code fromEvents}: the patch is the object of a recorded event (already in the historian as
   * that event), not a patch the device sent to its state.
   */
  public record ReportedStatePatched(ObjectNode patch, long version, Instant at, boolean fromEvents)
      implements TwinEvent {

    /** The event id under which the historian keeps reported patches. */
    public static final String HISTORIAN_EVENT_ID = "state";
  }

  /** An application merged {@code patch} (RFC 7396) into the desired state: {@code version}. */
  public record DesiredStatePatched(ObjectNode patch, long version, Instant at)
      implements TwinEvent {}

  /** An application replaced the whole desired state with {@code desired}: {@code version}. */
  public record DesiredStateReplaced(ObjectNode desired, long version, Instant at)
      implements TwinEvent {}
}

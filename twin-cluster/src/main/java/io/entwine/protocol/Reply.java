package io.entwine.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.entwine.identity.DeviceKey;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every answer an entity gives. One closed set, so that each ingress maps replies to status codes
 * in one place.
 */
public sealed interface Reply extends CborSerializable {

  /**
   * The command was applied and, if it changed anything, persisted. A twin that persisted a device
   * event stamps when the command reached its handler, when the handler handed the write to the
   * journal and when the journal confirmed it ({@link io.entwine.metrics.StageClock}, epoch
   * nanoseconds; 0 when not stamped), for the gateway's stage timing (docs/adr/0079). The stamps
   * are a measurement, not part of the answer: every Done equals every other.
   */
  record Done(long arrivedAt, long handedAt, long persistedAt) implements Reply {
    public Done() {
      this(0, 0, 0);
    }

    /** Whether a twin stamped the stages of a journal write into this answer. */
    public boolean stamped() {
      return persistedAt != 0;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Done;
    }

    @Override
    public int hashCode() {
      return Done.class.hashCode();
    }

    @Override
    public String toString() {
      return "Done[]";
    }
  }

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
      long eventCount,
      JsonNode attributes,
      DeviceProfile profile)
      implements Reply {

    public DeviceInfo {
      // null (no shared attributes) comes back from the wire as a JSON null
      attributes = attributes == null || attributes.isNull() ? null : attributes;
    }
  }

  record LastEvent(String eventId, String format, byte[] payload, Instant timestamp) {}

  record LastEvents(List<LastEvent> events) implements Reply {}

  record OrganizationInfo(String id, String name, Instant created, Instant updated)
      implements Reply {}

  /** A command was queued durably for a device. */
  record CommandAccepted(String commandId) implements Reply {}

  record ApiKeyInfo(String key, String description, Instant created) {}

  record ApiKeys(List<ApiKeyInfo> keys) implements Reply {}

  /**
   * A device type of IBM's platform API v0002 (IBM Watson IoT Platform API v0002 documentation,
   * Device types): {@code classId} is {@code Device} or {@code Gateway}; {@code deviceInfo} holds
   * the defaults of its devices' deviceInfo, {@code metadata} any JSON object.
   */
  record DeviceTypeInfo(
      String id,
      String classId,
      String description,
      JsonNode deviceInfo,
      JsonNode metadata,
      Instant created,
      Instant updated)
      implements Reply {
    public DeviceTypeInfo {
      deviceInfo = deviceInfo == null || deviceInfo.isNull() ? null : deviceInfo;
      metadata = metadata == null || metadata.isNull() ? null : metadata;
    }
  }

  /** An organization's device types, ordered by id. */
  record DeviceTypeList(List<DeviceTypeInfo> types) implements Reply {}

  // ---- commands for devices ----

  /** What a device answered to a command, handed to the application that waits for it. */
  record CommandResponse(String commandId, int status, String format, byte[] payload)
      implements Reply {}

  /**
   * A command handed to a device (or a gateway acting for {@code target}) that waits for one, e.g.
   * in the response to a Hono request with {@code hono-ttd}. It is recorded as delivered.
   */
  record CommandToDeliver(
      DeviceKey target, String commandId, String command, String format, byte[] payload)
      implements Reply {}

  /** The wait for a command ended without one. */
  record NoCommand() implements Reply {}

  /**
   * The twin's state delta handed to a device (or a gateway acting for {@code target}) that waits
   * for a command, e.g. a Hono request with {@code hono-ttd}: the desired leaves the device has not
   * reported at {@code version}. Nothing is recorded; the device confirms by reporting them.
   */
  record StateDeltaToDeliver(DeviceKey target, long version, JsonNode delta) implements Reply {}

  /** One command of a device's queue as applications list it. */
  record CommandInfo(
      String commandId,
      String command,
      String format,
      String status,
      Instant queuedAt,
      Instant expiresAt,
      Integer responseStatus,
      String responseFormat,
      byte[] responsePayload,
      Instant respondedAt) {}

  /** {@code waitingRequests}: requests (Hono hono-ttd) waiting at the twin for a command now. */
  record CommandList(List<CommandInfo> commands, int waitingRequests) implements Reply {}

  // ---- shared attributes and integration downlinks ----

  /** A device's shared attributes, merged; {@code version} counts the changes. */
  record Attributes(JsonNode values, long version) implements Reply {}

  /**
   * What waits for an integration device, one thing at a time: its undelivered attribute changes
   * ({@code attributes}, up to {@code attributesVersion}), else its state delta at a version no
   * request got yet ({@code delta}), else its next waiting {@code command}; all null when nothing
   * waits.
   */
  record Downlink(
      JsonNode attributes,
      long attributesVersion,
      StateDeltaToDeliver delta,
      CommandToDeliver command)
      implements Reply {
    public Downlink {
      attributes = attributes == null || attributes.isNull() ? null : attributes;
    }

    /** Not a getter: only the components travel. */
    public boolean nothingWaits() {
      return attributes == null && delta == null && command == null;
    }
  }

  // ---- the twin's state document (issue 19) ----

  /**
   * A twin's state: what the device reported, what applications desire, the desired leaves the
   * device has not reported yet ({@code delta}), the version every change increments, and {@code
   * metadata} with the time each leaf of reported and desired last changed.
   */
  record StateView(
      JsonNode reported, JsonNode desired, JsonNode delta, long version, JsonNode metadata)
      implements Reply {}

  /**
   * The outcome of reported patches applied in order in one write: per patch, in the order sent,
   * null when it was applied (or changed nothing), else why it was refused (it changed nothing).
   */
  record ReportedPatchesApplied(List<Rejected> refusals) implements Reply {}

  /** A write for {@code expectedVersion} found the state at {@code version}: nothing changed. */
  record StateVersionMismatch(long expectedVersion, long version) implements Reply {}

  /** The event ids of a device type whose JSON object is merged into reported state. */
  record EventIds(List<String> eventIds) implements Reply {}

  // ---- credentials and indexes ----

  /** A device credential as listed: never its secret. */
  record CredentialInfo(String type, String authId, Instant created) {}

  record CredentialList(List<CredentialInfo> credentials) implements Reply {}

  /** The device's pre-shared key, encrypted with the cluster key (see SecretBox). */
  record EncryptedPsk(String encrypted) implements Reply {}

  /**
   * A view of IBM's device management (a managed device's {@code mgmt}, its diagnostics, the
   * management requests of an organization) in the JSON shape IBM's platform API v0002 answers.
   */
  record ManagementView(JsonNode body) implements Reply {}

  /** An index answer: the device an auth-id belongs to. */
  record DeviceFound(DeviceKey device) implements Reply {}

  /**
   * A device's gateway links: the gateways in its {@code via} (whose resource groups it is in,
   * docs/adr/0074) and, for a gateway, the devices whose {@code via} lists it (its resource group).
   */
  record GatewayLinks(List<DeviceKey> via, List<DeviceKey> actsFor) implements Reply {}

  /** The gateways of an organization given IBM's standard gateway role (docs/adr/0074). */
  record StandardGateways(List<DeviceKey> gateways) implements Reply {}

  /** An index answer: the device types under which a device id is registered in an organization. */
  record DeviceTypes(List<String> types) implements Reply {}

  /** An index answer: the organization (tenant) that trusts a CA. */
  record TenantFound(String org) implements Reply {}

  // ---- organization settings ----

  /**
   * The tenant's configuration of the Hono HTTP adapter (Eclipse Hono 1.2 HTTP adapter user guide,
   * "Tenant specific Configuration").
   */
  record HonoHttpAdapter(boolean enabled, int maxTtd, boolean allowUnauthenticated) {
    public static final HonoHttpAdapter DEFAULT = new HonoHttpAdapter(true, 60, false);
  }

  /**
   * Per-organization limits; {@code messagesPerPeriod} 0 means unlimited, {@code maxPayloadBytes} 0
   * means the node's default, {@code maxDevices} (registered devices, over every API) 0 means
   * unlimited.
   */
  record MessageLimits(
      long messagesPerPeriod, int periodSeconds, int maxPayloadBytes, long maxDevices) {
    public static final MessageLimits NONE = new MessageLimits(0, 60, 0, 0);

    /** Message limits without a device quota. */
    public MessageLimits(long messagesPerPeriod, int periodSeconds, int maxPayloadBytes) {
      this(messagesPerPeriod, periodSeconds, maxPayloadBytes, 0);
    }
  }

  /**
   * A CA certificate (PEM) the tenant trusts for X.509 client certificates (Hono's {@code
   * trusted-ca}); its subject DN, in RFC 2253 form, identifies the tenant.
   */
  record TrustedCa(String subjectDn, String certificate) {}

  /**
   * How long the historian keeps an organization's raw events and its hourly roll-ups after writing
   * them, in seconds; 0 keeps them for ever (ADR 0065).
   */
  record HistoryRetention(long rawEventsSeconds, long rollupsSeconds) {
    public static final HistoryRetention UNLIMITED = new HistoryRetention(0, 0);
  }

  /**
   * An organization's settings: the Hono HTTP adapter's configuration, its limits, the CAs it
   * trusts, the device-facing adapters the operator switched off ({@code disabledAdapters}, by
   * adapter id such as {@code ibm-http}; empty in settings written before adapters could be
   * switched off), and its history retention (unlimited in settings written before retention).
   */
  record OrganizationSettings(
      HonoHttpAdapter honoHttp,
      MessageLimits limits,
      List<TrustedCa> trustedCas,
      Set<String> disabledAdapters,
      HistoryRetention retention)
      implements Reply {
    public static final OrganizationSettings DEFAULT =
        new OrganizationSettings(HonoHttpAdapter.DEFAULT, MessageLimits.NONE, List.of());

    public OrganizationSettings {
      trustedCas = trustedCas == null ? List.of() : List.copyOf(trustedCas);
      disabledAdapters = disabledAdapters == null ? Set.of() : Set.copyOf(disabledAdapters);
      retention = retention == null ? HistoryRetention.UNLIMITED : retention;
    }

    public OrganizationSettings(
        HonoHttpAdapter honoHttp,
        MessageLimits limits,
        List<TrustedCa> trustedCas,
        Set<String> disabledAdapters) {
      this(honoHttp, limits, trustedCas, disabledAdapters, null);
    }

    public OrganizationSettings(
        HonoHttpAdapter honoHttp, MessageLimits limits, List<TrustedCa> trustedCas) {
      this(honoHttp, limits, trustedCas, Set.of());
    }

    /** False when the operator switched the adapter off for this organization. */
    public boolean adapterEnabled(String adapter) {
      return !disabledAdapters.contains(adapter);
    }

    public OrganizationSettings withHonoHttp(HonoHttpAdapter config) {
      return new OrganizationSettings(config, limits, trustedCas, disabledAdapters, retention);
    }

    public OrganizationSettings withLimits(MessageLimits newLimits) {
      return new OrganizationSettings(honoHttp, newLimits, trustedCas, disabledAdapters, retention);
    }

    public OrganizationSettings withTrustedCas(List<TrustedCa> cas) {
      return new OrganizationSettings(honoHttp, limits, cas, disabledAdapters, retention);
    }

    public OrganizationSettings withAdapter(String adapter, boolean enabled) {
      Set<String> disabled = new HashSet<>(disabledAdapters);
      if (enabled) {
        disabled.remove(adapter);
      } else {
        disabled.add(adapter);
      }
      return new OrganizationSettings(honoHttp, limits, trustedCas, disabled, retention);
    }

    public OrganizationSettings withRetention(HistoryRetention newRetention) {
      return new OrganizationSettings(honoHttp, limits, trustedCas, disabledAdapters, newRetention);
    }
  }
}

package io.entwine.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Tokens;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.OrganizationPolicies;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.script.DecodedUplink;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records what converters decoded on the twins, through the same twin command as every other
 * protocol: each telemetry sample becomes an event {@code telemetry} in format {@code json} with
 * the IOTF payload {@code {"d": values}} (so the historian's roll-ups and {@code summarize} see its
 * numeric values) at the sample's {@code ts}, or at arrival when it has none; non-empty attributes
 * become an event {@code attributes}, {@code {"d": attributes}}. A device that is not registered is
 * registered (with a generated token nobody is shown; rotate it to connect the device directly)
 * when the caller allows it. Devices it would create are counted against the organization's device
 * quota all at once, before anything is recorded: past the quota, nothing of the message is
 * recorded and every device it would create is refused (FORBIDDEN). Completes after every event was
 * persisted; fails (for the caller to retry) when a twin did not answer.
 */
public final class UplinkRecorder {
  public static final String TELEMETRY_EVENT = "telemetry";
  public static final String ATTRIBUTES_EVENT = "attributes";

  /** {@code registeredByType} of devices an integration or bridge created. */
  public static final String REGISTERED_BY_INTEGRATION = "integration";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Executor SAME_THREAD = Runnable::run;

  private final TwinGateway gateway;
  private final OrganizationPolicies policies;

  /** Checks the device quota before every message that may create devices. */
  public UplinkRecorder(TwinGateway gateway) {
    this(gateway, null);
  }

  /**
   * Checks the device quota before a message that may create devices only for organizations whose
   * (cached) settings have one: the others are spared a read of each twin per message.
   */
  public UplinkRecorder(TwinGateway gateway, OrganizationPolicies policies) {
    this.gateway = gateway;
    this.policies = policies;
  }

  /** A device whose uplink was not recorded, and why. */
  public record Refusal(DeviceKey device, Rejection reason, String message) {}

  /**
   * What was recorded: the devices whose uplinks were recorded (in order), those of them that were
   * created for it, and the refused ones (nothing of theirs was recorded).
   */
  public record Outcome(List<DeviceKey> recorded, List<DeviceKey> created, List<Refusal> refused) {
    public boolean allRecorded() {
      return refused.isEmpty();
    }
  }

  /**
   * Records {@code uplinks} for organization {@code org}, one after the other; {@code source} names
   * the integration or bridge (it becomes {@code registeredBy} of devices it creates).
   */
  public CompletionStage<Outcome> record(
      String org, List<DecodedUplink> uplinks, boolean allowCreateDevices, String source) {
    if (!allowCreateDevices) {
      return recordInOrder(org, uplinks, false, source, new Reserved(0));
    }
    return hasDeviceQuota(org)
        .thenComposeAsync(
            quota ->
                quota
                    ? reserveThenRecord(org, uplinks, source)
                    : recordInOrder(org, uplinks, true, source, new Reserved(0)),
            SAME_THREAD);
  }

  private CompletionStage<Boolean> hasDeviceQuota(String org) {
    if (policies == null) {
      return CompletableFuture.completedFuture(true);
    }
    return policies
        .settings(org)
        .thenApply(
            settings ->
                settings instanceof Reply.OrganizationSettings known
                    && known.limits().maxDevices() > 0);
  }

  /**
   * Counts the devices of {@code uplinks} that are not registered against the quota in one step;
   * past it, records nothing. What was reserved and not used (a device registered meanwhile by
   * another message, a failure) is released at the end.
   */
  private CompletionStage<Outcome> reserveThenRecord(
      String org, List<DecodedUplink> uplinks, String source) {
    Set<DeviceKey> devices = new LinkedHashSet<>();
    for (DecodedUplink uplink : uplinks) {
      devices.add(new DeviceKey(org, uplink.deviceType(), uplink.deviceName()));
    }
    List<DeviceKey> keys = List.copyOf(devices);
    List<CompletableFuture<Reply>> gets = new ArrayList<>();
    for (DeviceKey device : keys) {
      gets.add(gateway.devices().get(device).toCompletableFuture());
    }
    return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
        .thenComposeAsync(
            all -> {
              List<DeviceKey> missing = new ArrayList<>();
              for (int i = 0; i < keys.size(); i++) {
                if (isNotRegistered(gets.get(i).join())) {
                  missing.add(keys.get(i));
                }
              }
              if (missing.isEmpty()) {
                return recordInOrder(org, uplinks, true, source, new Reserved(0));
              }
              return gateway
                  .organizations()
                  .reserveDevices(org, missing.size())
                  .thenComposeAsync(
                      reply -> {
                        if (reply instanceof Reply.Rejected rejected) {
                          return CompletableFuture.completedFuture(
                              new Outcome(
                                  List.of(),
                                  List.of(),
                                  missing.stream()
                                      .map(
                                          device ->
                                              new Refusal(
                                                  device, rejected.reason(), rejected.message()))
                                      .toList()));
                        }
                        Reserved reserved = new Reserved(missing.size());
                        return recordInOrder(org, uplinks, true, source, reserved)
                            .whenComplete((outcome, failure) -> release(org, reserved));
                      },
                      SAME_THREAD);
            },
            SAME_THREAD);
  }

  private void release(String org, Reserved reserved) {
    int unused = reserved.remaining.getAndSet(0);
    if (unused > 0) {
      gateway.organizations().releaseDevices(org, unused);
    }
  }

  private CompletionStage<Outcome> recordInOrder(
      String org,
      List<DecodedUplink> uplinks,
      boolean allowCreateDevices,
      String source,
      Reserved reserved) {
    Progress progress = new Progress();
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    Instant receivedAt = Timestamps.now();
    for (DecodedUplink uplink : uplinks) {
      DeviceKey device = new DeviceKey(org, uplink.deviceType(), uplink.deviceName());
      List<DeviceMessage> messages = messages(device, uplink, receivedAt, source);
      chain =
          chain.thenComposeAsync(
              previous ->
                  recordDevice(device, messages, allowCreateDevices, source, reserved, progress),
              SAME_THREAD);
    }
    return chain.thenApply(done -> progress.outcome());
  }

  private CompletionStage<Void> recordDevice(
      DeviceKey device,
      List<DeviceMessage> messages,
      boolean allowCreateDevices,
      String source,
      Reserved reserved,
      Progress progress) {
    CompletionStage<Reply> first =
        messages.isEmpty()
            ? gateway.devices().get(device)
            : gateway.recordVerifiedEvent(messages.get(0), null, null);
    return first.thenComposeAsync(
        reply -> {
          if (isNotRegistered(reply) && allowCreateDevices) {
            return create(device, source, reserved)
                .thenComposeAsync(
                    created -> {
                      if (created instanceof Reply.Rejected refused) {
                        progress.refused.add(
                            new Refusal(device, refused.reason(), refused.message()));
                        return CompletableFuture.completedFuture(null);
                      }
                      progress.created.add(device);
                      return recordAll(device, messages, 0, progress);
                    },
                    SAME_THREAD);
          }
          if (isNotRegistered(reply)) {
            progress.refused.add(
                new Refusal(
                    device,
                    Rejection.NOT_FOUND,
                    "Device type '"
                        + device.type()
                        + "' id '"
                        + device.id()
                        + "' is not registered, and '"
                        + source
                        + "' does not create devices (allowCreateDevices is off)"));
            return CompletableFuture.completedFuture(null);
          }
          return continueAfter(reply, device, messages, 1, progress);
        },
        SAME_THREAD);
  }

  private CompletionStage<Void> recordAll(
      DeviceKey device, List<DeviceMessage> messages, int from, Progress progress) {
    if (from >= messages.size()) {
      progress.recorded.add(device);
      return CompletableFuture.completedFuture(null);
    }
    return gateway
        .recordVerifiedEvent(messages.get(from), null, null)
        .thenComposeAsync(
            reply -> continueAfter(reply, device, messages, from + 1, progress), SAME_THREAD);
  }

  private CompletionStage<Void> continueAfter(
      Reply reply, DeviceKey device, List<DeviceMessage> messages, int next, Progress progress) {
    if (reply instanceof Reply.Rejected rejected) {
      progress.refused.add(new Refusal(device, rejected.reason(), rejected.message()));
      return CompletableFuture.completedFuture(null);
    }
    return recordAll(device, messages, next, progress);
  }

  /**
   * Registered now, or by a concurrent uplink a moment ago: either way the device exists. FORBIDDEN
   * when the organization is at its device quota.
   */
  private CompletionStage<Reply> create(DeviceKey device, String source, Reserved reserved) {
    String token = Tokens.secret();
    CompletionStage<Reply> registered =
        reserved.take()
            ? gateway
                .devices()
                .registerReserved(device, token, null, source, REGISTERED_BY_INTEGRATION)
            : gateway
                .devices()
                .registerDevice(device, token, null, source, REGISTERED_BY_INTEGRATION);
    return registered.thenApply(
        reply -> {
          if (reply instanceof Reply.Rejected rejected
              && rejected.reason() != Rejection.ALREADY_EXISTS
              && rejected.reason() != Rejection.FORBIDDEN) {
            throw new IllegalStateException(
                "Registering " + device.uuid() + " failed: " + rejected.message());
          }
          return isAlreadyRegistered(reply) ? new Reply.Done() : reply;
        });
  }

  private static boolean isAlreadyRegistered(Reply reply) {
    return reply instanceof Reply.Rejected rejected
        && rejected.reason() == Rejection.ALREADY_EXISTS;
  }

  private static boolean isNotRegistered(Reply reply) {
    return reply instanceof Reply.Rejected rejected && rejected.reason() == Rejection.NOT_FOUND;
  }

  private static List<DeviceMessage> messages(
      DeviceKey device, DecodedUplink uplink, Instant receivedAt, String source) {
    List<DeviceMessage> messages = new ArrayList<>(uplink.telemetry().size() + 1);
    for (JsonNode sample : uplink.telemetry()) {
      JsonNode ts = sample.get("ts");
      Instant timestamp = ts == null ? null : Instant.ofEpochMilli(ts.asLong());
      messages.add(
          message(device, TELEMETRY_EVENT, sample.get("values"), timestamp, receivedAt, source));
    }
    if (!uplink.attributes().isEmpty()) {
      messages.add(
          message(device, ATTRIBUTES_EVENT, uplink.attributes(), null, receivedAt, source));
    }
    return messages;
  }

  private static DeviceMessage message(
      DeviceKey device,
      String eventId,
      JsonNode values,
      Instant timestamp,
      Instant receivedAt,
      String source) {
    ObjectNode iotf = JSON.createObjectNode();
    iotf.set("d", values);
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(iotf);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("A JSON tree always serializes", e);
    }
    return new DeviceMessage(
        device,
        eventId,
        Payloads.JSON,
        payload,
        timestamp,
        receivedAt,
        source,
        DeviceMessage.ACKNOWLEDGED_QOS);
  }

  /** Devices of the quota reserved for one message and not yet used by a registration. */
  private static final class Reserved {
    final AtomicInteger remaining;

    Reserved(int count) {
      this.remaining = new AtomicInteger(count);
    }

    boolean take() {
      return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  /** Filled by one chain of asks at a time, so plain lists suffice. */
  private static final class Progress {
    final List<DeviceKey> recorded = new ArrayList<>();
    final List<DeviceKey> created = new ArrayList<>();
    final List<Refusal> refused = new ArrayList<>();

    Outcome outcome() {
      return new Outcome(List.copyOf(recorded), List.copyOf(created), List.copyOf(refused));
    }
  }
}

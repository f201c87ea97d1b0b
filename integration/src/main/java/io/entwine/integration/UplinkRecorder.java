package io.entwine.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.credentials.Tokens;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.DeviceMessage;
import io.entwine.ingress.Payloads;
import io.entwine.ingress.Timestamps;
import io.entwine.ingress.TwinGateway;
import io.entwine.integration.script.DecodedUplink;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.DeviceTwin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Records what converters decoded on the twins, through the same twin command as every other
 * protocol: each telemetry sample becomes an event {@code telemetry} in format {@code json} with
 * the IOTF payload {@code {"d": values}} (so the historian's roll-ups and {@code summarize} see its
 * numeric values) at the sample's {@code ts}, or at arrival when it has none; non-empty attributes
 * become an event {@code attributes}, {@code {"d": attributes}}. A device that is not registered is
 * registered (with a generated token nobody is shown; rotate it to connect the device directly)
 * when the caller allows it. Completes after every event was persisted; fails (for the caller to
 * retry) when a twin did not answer.
 */
public final class UplinkRecorder {
  public static final String TELEMETRY_EVENT = "telemetry";
  public static final String ATTRIBUTES_EVENT = "attributes";

  /** {@code registeredByType} of devices an integration or bridge created. */
  public static final String REGISTERED_BY_INTEGRATION = "integration";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Executor SAME_THREAD = Runnable::run;

  private final TwinGateway gateway;

  public UplinkRecorder(TwinGateway gateway) {
    this.gateway = gateway;
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
    Progress progress = new Progress();
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    Instant receivedAt = Timestamps.now();
    for (DecodedUplink uplink : uplinks) {
      DeviceKey device = new DeviceKey(org, uplink.deviceType(), uplink.deviceName());
      List<DeviceMessage> messages = messages(device, uplink, receivedAt, source);
      chain =
          chain.thenComposeAsync(
              previous -> recordDevice(device, messages, allowCreateDevices, source, progress),
              SAME_THREAD);
    }
    return chain.thenApply(done -> progress.outcome());
  }

  private CompletionStage<Void> recordDevice(
      DeviceKey device,
      List<DeviceMessage> messages,
      boolean allowCreateDevices,
      String source,
      Progress progress) {
    CompletionStage<Reply> first =
        messages.isEmpty()
            ? gateway.ask(gateway.twin(device), DeviceTwin.Get::new)
            : gateway.recordVerifiedEvent(messages.get(0), null, null);
    return first.thenComposeAsync(
        reply -> {
          if (isNotRegistered(reply) && allowCreateDevices) {
            return create(device, source)
                .thenComposeAsync(
                    created -> {
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

  /** Registered now, or by a concurrent uplink a moment ago: either way the device exists. */
  private CompletionStage<Reply> create(DeviceKey device, String source) {
    return gateway
        .registerDevice(device, Tokens.secret(), null, source, REGISTERED_BY_INTEGRATION)
        .thenApply(
            reply -> {
              if (reply instanceof Reply.Rejected rejected
                  && rejected.reason() != Rejection.ALREADY_EXISTS) {
                throw new IllegalStateException(
                    "Registering " + device.uuid() + " failed: " + rejected.message());
              }
              return reply;
            });
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
        device, eventId, Payloads.JSON, payload, timestamp, receivedAt, source);
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

package io.entwine.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.ingress.Payloads;
import io.entwine.live.LiveMessage;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * One message of an application stream: its kind and its JSON document. A device event has the
 * shape of IBM's last-event cache ({@code typeId, deviceId, eventId, format, timestamp, payload} in
 * base64, IBM Watson IoT Platform API v0002 documentation, "Last event cache") plus {@code data},
 * the decoded payload, when the format is {@code json}.
 */
public record StreamMessage(
    StreamKind kind,
    String typeId,
    String deviceId,
    String eventId,
    String format,
    ObjectNode data) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code filter} lets this message through. */
  public boolean passes(StreamFilter filter) {
    return filter.matches(kind, typeId, deviceId, eventId, format);
  }

  public static StreamMessage event(DeviceKey device, EventRecorded recorded) {
    ObjectNode data = JSON.createObjectNode();
    data.put("typeId", device.type());
    data.put("deviceId", device.id());
    data.put("eventId", recorded.eventId());
    data.put("format", recorded.format());
    data.put("timestamp", recorded.timestamp().toString());
    data.put("payload", Base64.getEncoder().encodeToString(recorded.payload()));
    if (Payloads.JSON.equals(recorded.format())) {
      decoded(recorded.payload()).ifPresent(json -> data.set("data", json));
    }
    return new StreamMessage(
        StreamKind.EVENT, device.type(), device.id(), recorded.eventId(), recorded.format(), data);
  }

  /** A reported-state patch as a state message: the live {@code state} shape with its patch. */
  public static StreamMessage reportedPatch(DeviceKey device, ReportedStatePatched patched) {
    ObjectNode data = device(device.type(), device.id());
    data.put("change", "reported");
    data.put("version", patched.version());
    data.set("reported", patched.patch());
    data.put("timestamp", patched.at().toString());
    return new StreamMessage(StreamKind.STATE, device.type(), device.id(), null, null, data);
  }

  /**
   * The stream message of a live message that is not read from the journal (status, commands,
   * state); empty for device events (streams read them from the journal) and application status.
   */
  public static Optional<StreamMessage> ofLive(LiveMessage message, Instant now) {
    if (message instanceof LiveMessage.DeviceStatus status) {
      return Optional.of(status(status, now));
    }
    if (message instanceof LiveMessage.DeviceCommand command) {
      ObjectNode data = device(command.type(), command.id());
      data.put("commandId", command.commandId());
      data.put("commandName", command.command());
      data.put("format", command.format());
      data.put("status", "queued");
      data.put("timestamp", now.toString());
      data.put("payload", Base64.getEncoder().encodeToString(command.payload()));
      return Optional.of(
          new StreamMessage(
              StreamKind.COMMAND,
              command.type(),
              command.id(),
              command.command(),
              command.format(),
              data));
    }
    if (message instanceof LiveMessage.DeviceStateChanged state) {
      ObjectNode data = device(state.type(), state.id());
      data.put("change", state.change());
      data.put("version", state.version());
      putIfPresent(data, "reported", state.reported());
      putIfPresent(data, "desired", state.desired());
      putIfPresent(data, "delta", state.delta());
      data.put("timestamp", now.toString());
      return Optional.of(
          new StreamMessage(StreamKind.STATE, state.type(), state.id(), null, null, data));
    }
    return Optional.empty();
  }

  /** IBM's status document ({@code Action}, {@code Time}, ...) with the contract's names first. */
  private static StreamMessage status(LiveMessage.DeviceStatus status, Instant now) {
    ObjectNode data = device(status.type(), status.id());
    JsonNode ibm = decoded(status.payload()).orElse(JSON.createObjectNode());
    data.put("action", ibm.path("Action").asText(""));
    data.put("timestamp", ibm.path("Time").asText(now.toString()));
    for (Iterator<Map.Entry<String, JsonNode>> it = ibm.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getKey().equals("Action") && !field.getKey().equals("Time")) {
        data.set(field.getKey(), field.getValue());
      }
    }
    return new StreamMessage(StreamKind.STATUS, status.type(), status.id(), null, null, data);
  }

  private static ObjectNode device(String type, String id) {
    ObjectNode data = JSON.createObjectNode();
    data.put("typeId", type);
    data.put("deviceId", id);
    return data;
  }

  private static void putIfPresent(ObjectNode data, String name, JsonNode value) {
    if (value != null && !value.isNull() && !value.isMissingNode()) {
      data.set(name, value);
    }
  }

  private static Optional<JsonNode> decoded(byte[] payload) {
    try {
      return Optional.ofNullable(JSON.readTree(payload));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The document as compact JSON, the SSE {@code data:} line. */
  public String json() {
    return data.toString();
  }
}

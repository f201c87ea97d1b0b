package io.entwine.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.live.LiveMessage;
import io.entwine.protocol.Reply;
import io.entwine.twin.StateDocument;
import java.io.IOException;
import java.util.Optional;

/**
 * The JSON of the state topics (docs/mqtt.md, "The twin's state"): what a device or an application
 * publishes to them, what they receive on them, and the rejection of a state write that MQTT 3.1.1
 * cannot refuse with a negative PUBACK.
 */
final class StatePayloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StatePayloads() {}

  /** A parsed state write: the merge patch and the version it is for (null: any). */
  record Write(ObjectNode patch, Long version) {}

  /** A parsed write, or the rejection (code and message) it gets instead. */
  record Parsed(Write write, int code, String message) {
    static Parsed refused(int code, String message) {
      return new Parsed(null, code, message);
    }
  }

  /** A device's reported patch: the payload is the merge patch itself. */
  static Parsed reported(byte[] payload) {
    return object(payload)
        .map(patch -> checked(new Write(patch, null)))
        .orElseGet(() -> Parsed.refused(400, "The payload must be a JSON object (a merge patch)"));
  }

  /** An application's desired patch: {@code {"desired": {...}, "version": N}}. */
  static Parsed desired(byte[] payload) {
    Optional<ObjectNode> body = object(payload);
    JsonNode patch = body.map(b -> b.get("desired")).orElse(null);
    JsonNode version = body.map(b -> b.get("version")).orElse(null);
    if (patch == null || !patch.isObject()) {
      return Parsed.refused(
          400, "The payload must be {\"desired\": {...}, \"version\": N} (version optional)");
    }
    if (version != null && !version.isNull() && !version.canConvertToExactIntegral()) {
      return Parsed.refused(400, "\"version\" must be a whole number");
    }
    return checked(
        new Write(
            (ObjectNode) patch, version == null || version.isNull() ? null : version.asLong()));
  }

  private static Parsed checked(Write write) {
    return StateDocument.checkDepth(write.patch())
        .map(tooDeep -> Parsed.refused(400, tooDeep))
        .orElseGet(() -> new Parsed(write, 0, null));
  }

  private static Optional<ObjectNode> object(byte[] payload) {
    try {
      return JSON.readTree(payload) instanceof ObjectNode object
          ? Optional.of(object)
          : Optional.empty();
    } catch (IOException invalid) {
      return Optional.empty();
    }
  }

  /**
   * The rejection a twin's answer to a state write stands for (HTTP's status codes), or null when
   * it is no refusal of the write itself (accepted, or a refusal of the client that closes it).
   */
  static byte[] rejectionOf(Reply reply) {
    if (reply instanceof Reply.StateVersionMismatch mismatch) {
      return rejection(
          412,
          "version "
              + mismatch.expectedVersion()
              + " was expected; the state is at version "
              + mismatch.version(),
          mismatch.version());
    }
    if (reply instanceof Reply.Rejected rejected) {
      Integer code =
          switch (rejected.reason()) {
            case INVALID -> 400;
            case TOO_LARGE -> 413;
            case NOT_FOUND -> 404;
            default -> null;
          };
      return code == null ? null : rejection(code, rejected.message(), null);
    }
    return null;
  }

  static byte[] rejection(int code, String message, Long version) {
    ObjectNode body = JSON.createObjectNode().put("code", code).put("message", message);
    if (version != null) {
      body.put("version", version);
    }
    return bytes(body);
  }

  /** What a device receives on its delta topic. */
  static byte[] delta(long version, JsonNode delta) {
    ObjectNode body = JSON.createObjectNode().put("version", version);
    body.set("delta", delta);
    return bytes(body);
  }

  /** What an application receives on {@code iot-2/type/{type}/id/{id}/state}. */
  static byte[] changed(LiveMessage.DeviceStateChanged changed) {
    ObjectNode body =
        JSON.createObjectNode().put("change", changed.change()).put("version", changed.version());
    body.set("reported", changed.reported());
    body.set("desired", changed.desired());
    body.set("delta", changed.delta());
    return bytes(body);
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A Jackson tree is always writable", e);
    }
  }
}

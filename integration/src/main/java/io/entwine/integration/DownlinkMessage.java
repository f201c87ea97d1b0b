package io.entwine.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a downlink converter's {@code Encoder(msg, metadata, msgType, integrationMetadata)} gets for
 * what waits for a device, in ThingsBoard's terms: shared-attribute changes and the twin's state
 * delta are {@code ATTRIBUTES_UPDATED} (the delta's {@code metadata.stateVersion} tells them
 * apart), a command is an {@code RPC_CALL_FROM_SERVER_TO_DEVICE}.
 */
record DownlinkMessage(JsonNode msg, String msgType, Map<String, String> metadata) {
  static final String ATTRIBUTES_UPDATED = "ATTRIBUTES_UPDATED";
  static final String RPC_CALL = "RPC_CALL_FROM_SERVER_TO_DEVICE";

  /** The metadata key naming the state version a delta downlink carries. */
  static final String STATE_VERSION = "stateVersion";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The message for {@code waiting}, which is not empty. */
  static DownlinkMessage of(DeviceKey device, Reply.Downlink waiting) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("deviceName", device.id());
    metadata.put("deviceType", device.type());
    if (waiting.attributes() != null) {
      return new DownlinkMessage(waiting.attributes(), ATTRIBUTES_UPDATED, metadata);
    }
    if (waiting.delta() != null) {
      metadata.put(STATE_VERSION, Long.toString(waiting.delta().version()));
      return new DownlinkMessage(waiting.delta().delta(), ATTRIBUTES_UPDATED, metadata);
    }
    Reply.CommandToDeliver command = waiting.command();
    metadata.put("requestId", command.commandId());
    return new DownlinkMessage(rpcMessage(command), RPC_CALL, metadata);
  }

  /** ThingsBoard's RPC message: {@code {"method": command, "params": payload}}. */
  private static JsonNode rpcMessage(Reply.CommandToDeliver command) {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("method", command.command());
    byte[] payload = command.payload() == null ? new byte[0] : command.payload();
    JsonNode params = null;
    if ("json".equals(command.format())) {
      try {
        params = JSON.readTree(payload);
      } catch (java.io.IOException notJson) {
        params = null;
      }
    }
    msg.set(
        "params",
        params != null
            ? params
            : JSON.getNodeFactory().textNode(new String(payload, StandardCharsets.UTF_8)));
    return msg;
  }
}

package io.entwine.mgmt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagErrorCode;
import io.entwine.mgmt.ManagedDeviceProtocol.DiagLog;
import io.entwine.mgmt.ManagedDeviceProtocol.ToDevice;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON of IBM's device management: the requests the platform publishes to a device on {@code
 * iotdm-1/…} (IBM Watson IoT Platform documentation, Device management protocol and Device
 * management requests) and the views its API v0002 answers ({@code mgmt}, diagnostics).
 */
public final class ManagementMessages {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The topics the platform publishes to a managed device on. */
  public static final String RESPONSE = "iotdm-1/response";

  static final String UPDATE = "iotdm-1/device/update";
  static final String OBSERVE = "iotdm-1/observe";
  static final String CANCEL = "iotdm-1/cancel";
  static final String INITIATE = "iotdm-1/mgmt/initiate/";

  /** The firmware attributes a firmware download request may set, from its parameters. */
  private static final List<String> FIRMWARE_PARAMETERS =
      List.of("version", "name", "uri", "verifier");

  private ManagementMessages() {}

  /** {@code iotdm-1/mgmt/initiate/device/reboot} and the like, for IBM's action name. */
  static ToDevice initiate(String action, String reqId) {
    String topic =
        INITIATE + ("device/factoryReset".equals(action) ? "device/factory_reset" : action);
    return new ToDevice(topic, bytes(NODES.objectNode().put("reqId", reqId)));
  }

  /** The firmware download's first step: the new {@code mgmt.firmware} attributes. */
  static ToDevice firmwareUpdate(String reqId, Map<String, String> parameters) {
    ObjectNode value = NODES.objectNode();
    for (String name : ManagedDeviceProtocol.FIRMWARE_PARAMETERS) {
      if (parameters.containsKey(name)) {
        value.put(name, parameters.get(name));
      }
    }
    value.put("state", 0).put("updateStatus", 0).put("updatedDateTime", "");
    ObjectNode field = NODES.objectNode().put("field", "mgmt.firmware").set("value", value);
    return new ToDevice(UPDATE, bytes(withFields(reqId, field)));
  }

  /** {@code iotdm-1/observe} or {@code iotdm-1/cancel} of {@code mgmt.firmware}. */
  static ToDevice firmwareObservation(String topic, String reqId) {
    return new ToDevice(
        topic, bytes(withFields(reqId, NODES.objectNode().put("field", "mgmt.firmware"))));
  }

  /** The platform's answer to a device's request: {@code {"rc": …, "reqId": …}}. */
  public static byte[] response(String reqId, int rc, String message) {
    ObjectNode body = NODES.objectNode().put("rc", rc);
    if (message != null) {
      body.put("message", message);
    }
    if (reqId != null) {
      body.put("reqId", reqId);
    }
    return bytes(body);
  }

  /** IBM's {@code mgmt} of a managed device. */
  static JsonNode management(ManagedDeviceState state, Instant now) {
    ManagedDeviceState.Management management = state.management();
    ObjectNode mgmt = NODES.objectNode();
    mgmt.put("dormant", state.dormantAt(now));
    if (management.lifetime() > 0) {
      mgmt.put(
          "dormantDateTime",
          management.lastManaged().plusSeconds(management.lifetime()).toString());
    }
    mgmt.put("lastActivityDateTime", management.lastManaged().toString());
    mgmt.putObject("supports")
        .put("deviceActions", management.deviceActions())
        .put("firmwareActions", management.firmwareActions());
    if (state.firmware() != null) {
      mgmt.set("firmware", state.firmware());
    }
    if (management.deviceInfo() != null) {
      mgmt.set("deviceInfo", management.deviceInfo());
    }
    return mgmt;
  }

  static JsonNode logs(List<DiagLog> logs) {
    ArrayNode list = NODES.arrayNode();
    for (DiagLog log : logs) {
      ObjectNode entry =
          list.addObject()
              .put("id", log.id())
              .put("message", log.message())
              .put("severity", log.severity())
              .put("timestamp", log.timestamp().toString());
      if (log.data() != null) {
        entry.put("data", log.data());
      }
    }
    return list;
  }

  static JsonNode errorCodes(List<DiagErrorCode> codes) {
    ArrayNode list = NODES.arrayNode();
    for (DiagErrorCode code : codes) {
      list.addObject()
          .put("errorCode", code.errorCode())
          .put("timestamp", code.timestamp().toString());
    }
    return list;
  }

  private static ObjectNode withFields(String reqId, ObjectNode field) {
    ObjectNode body = NODES.objectNode().put("reqId", reqId);
    body.putObject("d").putArray("fields").add(field);
    return body;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.entwine.integration.script;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.Ids;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A ThingsBoard uplink converter: the script is the body of {@code function Decoder(payload,
 * metadata)}, {@code payload} the message bytes as an array of numbers, {@code metadata} string
 * pairs; it returns one {@code {deviceName, deviceType?, telemetry?, attributes?}} or an array of
 * them. Compiled once; {@link #decode} is thread-safe and runs under the {@link ScriptLimits}.
 */
public final class UplinkConverter {
  static final String DEFAULT_DEVICE_TYPE = "default";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ScriptFunction decoder;

  private UplinkConverter(ScriptFunction decoder) {
    this.decoder = decoder;
  }

  public static UplinkConverter compile(String script, ScriptLimits limits)
      throws ConverterException {
    return new UplinkConverter(
        ScriptFunction.compile("Decoder", "payload, metadata", script, limits));
  }

  /** The devices and values the script decoded from {@code payload}, normalised (see record). */
  public List<DecodedUplink> decode(byte[] payload, Map<String, String> metadata)
      throws ConverterException {
    JsonNode result =
        decoder.call(
            (cx, scope) ->
                new Object[] {
                  Sandbox.byteArray(cx, scope, payload), Sandbox.object(cx, scope, metadata)
                });
    return normalise(result, decoder.limits());
  }

  static List<DecodedUplink> normalise(JsonNode result, ScriptLimits limits)
      throws ConverterException {
    if (result == null || !(result.isObject() || result.isArray())) {
      throw wrongShape(
          "The decoder must return an object {deviceName, deviceType, telemetry, attributes} or"
              + " an array of them; it returned "
              + describe(result));
    }
    List<DecodedUplink> uplinks = new ArrayList<>();
    if (result.isObject()) {
      uplinks.add(uplink(result, ""));
    } else {
      if (result.size() > limits.maxResultDevices()) {
        throw tooLarge(result.size() + " devices", limits.maxResultDevices() + " devices");
      }
      for (int i = 0; i < result.size(); i++) {
        uplinks.add(uplink(result.get(i), "[" + i + "]"));
      }
    }
    int readings = 0;
    for (DecodedUplink uplink : uplinks) {
      readings += uplink.telemetry().size() + (uplink.attributes().isEmpty() ? 0 : 1);
    }
    if (readings > limits.maxResultReadings()) {
      throw tooLarge(
          readings + " readings (telemetry samples and attribute sets)",
          limits.maxResultReadings() + " readings");
    }
    return List.copyOf(uplinks);
  }

  /** Refused before any device is created or any event recorded. */
  private static ConverterException tooLarge(String returned, String limit) {
    return new ConverterException(
        ConverterException.Kind.TOO_LARGE,
        "The decoder returned "
            + returned
            + " for one message; the node accepts at most "
            + limit
            + " per message, and recorded nothing of it");
  }

  private static DecodedUplink uplink(JsonNode node, String at) throws ConverterException {
    if (!node.isObject()) {
      throw wrongShape("Result" + at + " must be an object; it is " + describe(node));
    }
    if (node.has("assetName") && !node.has("deviceName")) {
      throw wrongShape("Result" + at + " names an asset; Entwine records devices: use deviceName");
    }
    JsonNode name = node.get("deviceName");
    if (name == null || !name.isTextual()) {
      throw wrongShape("Result" + at + " needs 'deviceName' as a string");
    }
    JsonNode type = node.get("deviceType");
    if (type != null && !type.isNull() && !type.isTextual()) {
      throw wrongShape("Result" + at + " 'deviceType' must be a string");
    }
    String deviceType = type == null || type.isNull() ? DEFAULT_DEVICE_TYPE : type.textValue();
    Optional<String> invalid =
        Ids.checkDevicePart("deviceName", name.textValue())
            .or(() -> Ids.checkDevicePart("deviceType", deviceType));
    if (invalid.isPresent()) {
      throw wrongShape("Result" + at + ": " + invalid.get());
    }
    return new DecodedUplink(
        name.textValue(),
        deviceType,
        telemetry(node.get("telemetry"), at),
        attributes(node.get("attributes"), at));
  }

  /** ThingsBoard's three telemetry forms become one: an array of {ts?, values}. */
  private static ArrayNode telemetry(JsonNode telemetry, String at) throws ConverterException {
    ArrayNode samples = NODES.arrayNode();
    if (telemetry == null || telemetry.isNull()) {
      return samples;
    }
    if (telemetry.isArray()) {
      for (int i = 0; i < telemetry.size(); i++) {
        JsonNode sample = telemetry.get(i);
        if (!isSample(sample)) {
          throw wrongShape(
              "Result"
                  + at
                  + " telemetry["
                  + i
                  + "] must be {\"ts\": epoch milliseconds, \"values\": {...}}");
        }
        samples.add(sample(sample, at));
      }
      return samples;
    }
    if (!telemetry.isObject()) {
      throw wrongShape(
          "Result" + at + " 'telemetry' must be an object of values, {ts, values} or an array");
    }
    if (isSample(telemetry)) {
      samples.add(sample(telemetry, at));
    } else {
      samples.add(NODES.objectNode().set("values", telemetry));
    }
    return samples;
  }

  /** {"values": {...}} with at most "ts" besides. */
  private static boolean isSample(JsonNode node) {
    if (node == null || !node.isObject() || !node.path("values").isObject()) {
      return false;
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals("values") && !name.equals("ts")) {
        return false;
      }
    }
    return true;
  }

  private static ObjectNode sample(JsonNode sample, String at) throws ConverterException {
    ObjectNode normal = NODES.objectNode();
    JsonNode ts = sample.get("ts");
    if (ts != null && !ts.isNull()) {
      if (!ts.canConvertToLong() || ts.asLong() < 0) {
        throw wrongShape("Result" + at + " telemetry 'ts' must be epoch milliseconds");
      }
      normal.put("ts", ts.asLong());
    }
    normal.set("values", sample.get("values"));
    return normal;
  }

  private static ObjectNode attributes(JsonNode attributes, String at) throws ConverterException {
    if (attributes == null || attributes.isNull()) {
      return NODES.objectNode();
    }
    if (!attributes.isObject()) {
      throw wrongShape("Result" + at + " 'attributes' must be an object");
    }
    return (ObjectNode) attributes;
  }

  private static String describe(JsonNode node) {
    if (node == null) {
      return "nothing (undefined)";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(node);
  }

  static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static ConverterException wrongShape(String message) {
    return new ConverterException(ConverterException.Kind.WRONG_SHAPE, message);
  }
}

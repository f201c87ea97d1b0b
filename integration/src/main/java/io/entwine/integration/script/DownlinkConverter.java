package io.entwine.integration.script;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A ThingsBoard downlink converter: the script is the body of {@code function Encoder(msg,
 * metadata, msgType, integrationMetadata)} and returns {@code {contentType, data, metadata?}}.
 * Compiled once; {@link #encode} is thread-safe and runs under the {@link ScriptLimits}.
 */
public final class DownlinkConverter {
  public static final Set<String> CONTENT_TYPES = Set.of("JSON", "TEXT", "BINARY");

  private final ScriptFunction encoder;

  private DownlinkConverter(ScriptFunction encoder) {
    this.encoder = encoder;
  }

  public static DownlinkConverter compile(String script, ScriptLimits limits)
      throws ConverterException {
    return new DownlinkConverter(
        ScriptFunction.compile(
            "Encoder", "msg, metadata, msgType, integrationMetadata", script, limits));
  }

  /**
   * Encodes {@code msg} (e.g. the changed attributes) of type {@code msgType} (ThingsBoard's names:
   * {@code ATTRIBUTES_UPDATED}, {@code RPC_CALL_FROM_SERVER_TO_DEVICE}).
   */
  public EncodedDownlink encode(
      JsonNode msg,
      Map<String, String> metadata,
      String msgType,
      Map<String, String> integrationMetadata)
      throws ConverterException {
    JsonNode result =
        encoder.call(
            (cx, scope) ->
                new Object[] {
                  Sandbox.parse(cx, scope, msg),
                  Sandbox.object(cx, scope, metadata),
                  msgType,
                  Sandbox.object(cx, scope, integrationMetadata)
                });
    return shape(result);
  }

  private static EncodedDownlink shape(JsonNode result) throws ConverterException {
    if (result == null || !result.isObject()) {
      throw wrongShape(
          "The encoder must return {contentType, data, metadata}; it returned "
              + (result == null ? "nothing (undefined)" : UplinkConverter.abbreviate(result)));
    }
    JsonNode type = result.get("contentType");
    String contentType =
        type != null && type.isTextual() ? type.textValue().toUpperCase(Locale.ROOT) : null;
    if (!CONTENT_TYPES.contains(contentType)) {
      throw wrongShape("'contentType' must be \"JSON\", \"TEXT\" or \"BINARY\" (base64 data)");
    }
    JsonNode data = result.get("data");
    if (data == null || data.isNull()) {
      throw wrongShape("'data' is missing");
    }
    if (!data.isTextual() && !contentType.equals("JSON")) {
      throw wrongShape("'data' must be a string for contentType " + contentType);
    }
    String text = data.isTextual() ? data.textValue() : data.toString();
    if (contentType.equals("BINARY") && !isBase64(text)) {
      throw wrongShape("'data' must be base64 for contentType BINARY");
    }
    return new EncodedDownlink(contentType, text, metadata(result.get("metadata")));
  }

  private static Map<String, String> metadata(JsonNode metadata) throws ConverterException {
    if (metadata == null || metadata.isNull()) {
      return Map.of();
    }
    if (!metadata.isObject()) {
      throw wrongShape("'metadata' must be an object of strings");
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      pairs.put(field.getKey(), value.isTextual() ? value.textValue() : value.toString());
    }
    return pairs;
  }

  private static boolean isBase64(String text) {
    try {
      java.util.Base64.getDecoder().decode(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static ConverterException wrongShape(String message) {
    return new ConverterException(ConverterException.Kind.WRONG_SHAPE, message);
  }
}

package io.entwine.historian;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numeric fields of a JSON event, as roll-ups and {@code summarize} see them. For an IOTF
 * payload (an object whose only members are the object {@code d} and optionally {@code ts}) the
 * fields are those under {@code d}; for any other JSON object, its top-level members. Nested
 * objects give dotted paths ({@code network.up}); arrays, strings, booleans and nulls are not
 * numeric; numbers too large for a double are ignored. At most {@link #MAX_FIELDS} per event, in
 * document order, and a path seen twice counts once (the first).
 */
public final class NumericFields {
  public static final int MAX_FIELDS = 100;
  private static final int MAX_DEPTH = 16;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NumericFields() {}

  /** The numeric fields of a payload in format {@code format}; empty unless it is JSON. */
  public static Map<String, Double> of(String format, byte[] payload) {
    if (!"json".equals(format)) {
      return Map.of();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(payload);
    } catch (JsonProcessingException e) {
      return Map.of();
    } catch (IOException e) {
      return Map.of();
    }
    return of(root);
  }

  public static Map<String, Double> of(JsonNode root) {
    if (root == null || !root.isObject()) {
      return Map.of();
    }
    Map<String, Double> fields = new LinkedHashMap<>();
    collect(isIotf(root) ? root.get("d") : root, "", 0, fields);
    return fields;
  }

  /**
   * IOTF (IBM IoT Foundation documentation 5.4.1): an object with the object {@code d} and at most
   * {@code ts} besides.
   */
  static boolean isIotf(JsonNode root) {
    JsonNode d = root.get("d");
    if (d == null || !d.isObject()) {
      return false;
    }
    Iterator<String> names = root.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!name.equals("d") && !name.equals("ts")) {
        return false;
      }
    }
    return true;
  }

  private static void collect(JsonNode object, String prefix, int depth, Map<String, Double> out) {
    Iterator<Map.Entry<String, JsonNode>> members = object.fields();
    while (members.hasNext() && out.size() < MAX_FIELDS) {
      Map.Entry<String, JsonNode> member = members.next();
      String path = prefix + member.getKey();
      JsonNode value = member.getValue();
      if (value.isNumber()) {
        double number = value.doubleValue();
        if (Double.isFinite(number)) {
          out.putIfAbsent(path, number);
        }
      } else if (value.isObject() && depth < MAX_DEPTH) {
        collect(value, path + ".", depth + 1, out);
      }
    }
  }
}

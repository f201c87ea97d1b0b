package io.entwine.twin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Map;

/**
 * The tree operations of a twin's state document: JSON Merge Patch (RFC 7396) that also stamps the
 * time of every leaf whose value it changes, the patch that replaces a whole document (keeping the
 * times of unchanged leaves), and the delta of desired against reported (deep; arrays compared
 * whole; numbers by value, so 15 and 15.0 are the same). The merge functions change the trees they
 * are given: callers pass copies, so the trees of a state are never changed once it is built.
 */
final class StateTrees {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Numbers by value (CBOR may read 15.0 back as a float, a device may send 15 or 15.0). */
  private static final Comparator<JsonNode> BY_VALUE =
      (a, b) -> {
        if (a.equals(b)) {
          return 0;
        }
        if (a.isNumber() && b.isNumber()) {
          boolean same =
              a.isIntegralNumber() && b.isIntegralNumber()
                  ? a.bigIntegerValue().equals(b.bigIntegerValue())
                  : Double.compare(a.doubleValue(), b.doubleValue()) == 0;
          return same ? 0 : 1;
        }
        return 1;
      };

  private StateTrees() {}

  /**
   * Applies merge patch {@code patch} to {@code target}, setting {@code time} in {@code times} (the
   * tree of leaf times beside {@code target}) for each leaf it changes; true when anything changed.
   */
  static boolean merge(ObjectNode target, ObjectNode times, ObjectNode patch, long time) {
    boolean changed = false;
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      JsonNode current = target.get(key);
      if (value.isNull()) {
        changed |= target.remove(key) != null;
        times.remove(key);
      } else if (value.isObject()) {
        if (!(current instanceof ObjectNode)) {
          current = target.putObject(key);
          times.putObject(key);
          changed = true;
        }
        changed |= merge((ObjectNode) current, childTimes(times, key), (ObjectNode) value, time);
      } else if (!same(current, value)) {
        target.set(key, value.deepCopy());
        times.put(key, time);
        changed = true;
      }
    }
    return changed;
  }

  /**
   * The merge patch that makes {@code target} equal to {@code document}, whose null members count
   * as absent: merged, it changes (and stamps) only the leaves that differ.
   */
  static ObjectNode replacement(ObjectNode target, ObjectNode document) {
    ObjectNode patch = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : target.properties()) {
      JsonNode wanted = document.get(field.getKey());
      if (wanted == null || wanted.isNull()) {
        patch.putNull(field.getKey());
      }
    }
    for (Map.Entry<String, JsonNode> field : document.properties()) {
      JsonNode wanted = field.getValue();
      if (wanted.isObject() && target.get(field.getKey()) instanceof ObjectNode current) {
        patch.set(field.getKey(), replacement(current, (ObjectNode) wanted));
      } else if (!wanted.isNull()) {
        patch.set(field.getKey(), wanted);
      }
    }
    return patch;
  }

  private static ObjectNode childTimes(ObjectNode times, String key) {
    return times.get(key) instanceof ObjectNode child ? child : times.putObject(key);
  }

  /**
   * The leaves of {@code desired} whose value {@code reported} does not have: merged into {@code
   * reported} as a patch, it gives every leaf of {@code desired} its desired value. Shares subtrees
   * of {@code desired}, which is never changed.
   */
  static ObjectNode delta(ObjectNode desired, ObjectNode reported) {
    ObjectNode delta = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : desired.properties()) {
      JsonNode wanted = field.getValue();
      JsonNode actual = reported.get(field.getKey());
      if (wanted.isObject() && actual instanceof ObjectNode actualObject) {
        ObjectNode inner = delta((ObjectNode) wanted, actualObject);
        if (!inner.isEmpty()) {
          delta.set(field.getKey(), inner);
        }
      } else if (!same(actual, wanted)) {
        delta.set(field.getKey(), wanted);
      }
    }
    return delta;
  }

  static boolean same(JsonNode a, JsonNode b) {
    return a != null && b != null && a.equals(BY_VALUE, b);
  }

  /** Levels of nested objects and arrays: a scalar is 0, {@code {"a":1}} is 1. */
  static int depth(JsonNode node) {
    int deepest = 0;
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        deepest = Math.max(deepest, depth(child));
      }
      return deepest + 1;
    }
    return 0;
  }

  /** The size of {@code node} as compact JSON text, in UTF-8 bytes. */
  static int jsonBytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A Jackson tree is always writable", e);
    }
  }

  /** {@code times} as the document shows it: each leaf's time as {@code {"timestamp": s}}. */
  static ObjectNode shownTimes(ObjectNode times) {
    ObjectNode shown = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : times.properties()) {
      JsonNode value = field.getValue();
      shown.set(
          field.getKey(),
          value instanceof ObjectNode inner
              ? shownTimes(inner)
              : NODES.objectNode().put("timestamp", value.asLong()));
    }
    return shown;
  }
}

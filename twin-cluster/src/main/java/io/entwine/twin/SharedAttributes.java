package io.entwine.twin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.protocol.CborSerializable;
import java.util.Iterator;
import java.util.Map;

/**
 * The attributes applications set on a device (ThingsBoard's shared attributes): their merged
 * {@code values}, the changes not yet delivered to the device ({@code pending}, a downlink for
 * integration devices) and a {@code version} counting the changes. Never mutated: every change
 * makes new trees.
 */
public record SharedAttributes(ObjectNode values, ObjectNode pending, long version)
    implements CborSerializable {
  /** Keeps a twin's state, and each downlink, of bounded size. */
  public static final int MAX_ATTRIBUTES = 1000;

  public static final SharedAttributes NONE =
      new SharedAttributes(
          JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.objectNode(), 0);

  public SharedAttributes {
    values = values == null ? JsonNodeFactory.instance.objectNode() : values;
    pending = pending == null ? JsonNodeFactory.instance.objectNode() : pending;
  }

  /** Merges {@code change} as a JSON merge patch at the top level: a null value removes. */
  SharedAttributes with(ObjectNode change) {
    ObjectNode merged = values.deepCopy();
    ObjectNode undelivered = pending.deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = change.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        merged.remove(field.getKey());
      } else {
        merged.set(field.getKey(), field.getValue().deepCopy());
      }
      undelivered.set(field.getKey(), field.getValue().deepCopy());
    }
    return new SharedAttributes(merged, undelivered, version + 1);
  }

  /** The changes up to {@code deliveredVersion} reached the device; later ones stay pending. */
  SharedAttributes deliveredUpTo(long deliveredVersion) {
    return deliveredVersion == version
        ? new SharedAttributes(values, JsonNodeFactory.instance.objectNode(), version)
        : this;
  }

  /** How many attributes {@code change} would leave. */
  int sizeAfter(ObjectNode change) {
    int size = values.size();
    Iterator<Map.Entry<String, JsonNode>> fields = change.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      boolean present = values.has(field.getKey());
      if (field.getValue().isNull() && present) {
        size--;
      } else if (!field.getValue().isNull() && !present) {
        size++;
      }
    }
    return size;
  }
}

package io.entwine.claims;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads the events of the five indexes that each had their own entity class before {@link
 * ClaimEntity} (configured in {@code pekko.serialization.jackson.migrations}, by the module that
 * had the class). Each old event named its key in one field — {@code device} (an object: the
 * auth-id's device, now keyed {@code org/type/id}), {@code org}, {@code type} or {@code id} — and
 * the integrations' also a {@code routingKey}, now the key's value.
 */
public final class LegacyClaimEventMigration extends JacksonMigration {
  private static final Set<String> CLAIMED_EVENTS =
      Set.of("Claimed", "TypeAdded", "Added", "BridgeAdded");
  private static final Set<String> RELEASED_EVENTS =
      Set.of("Released", "TypeRemoved", "Removed", "BridgeRemoved");
  private static final List<String> KEY_FIELDS = List.of("org", "type", "id");

  /** The old manifests carried no version; this one is the first that knows the new classes. */
  @Override
  public int currentVersion() {
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    String event = className.substring(className.lastIndexOf('$') + 1);
    if (CLAIMED_EVENTS.contains(event)) {
      return ClaimEntity.Claimed.class.getName();
    }
    if (RELEASED_EVENTS.contains(event)) {
      return ClaimEntity.Released.class.getName();
    }
    throw new IllegalArgumentException("Not an index event of the old form: " + className);
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    ObjectNode claim = JsonNodeFactory.instance.objectNode();
    claim.put("key", key(json));
    // A released event ignores the value.
    JsonNode routingKey = json.get("routingKey");
    claim.put("value", routingKey == null ? ClaimTable.NO_VALUE : routingKey.asText());
    return claim;
  }

  private static String key(JsonNode json) {
    JsonNode device = json.get("device");
    if (device != null) {
      return String.join(
          "/", device.get("org").asText(), device.get("type").asText(), device.get("id").asText());
    }
    for (String field : KEY_FIELDS) {
      if (json.hasNonNull(field)) {
        return json.get(field).asText();
      }
    }
    throw new IllegalArgumentException("Not an index event of the old form: " + json);
  }
}

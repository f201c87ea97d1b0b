package io.entwine.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** How the messages of every module read optional JSON components. */
public final class JsonValues {
  private JsonValues() {}

  /**
   * {@code node}, or null when it is absent or a JSON null: a null {@link JsonNode} component
   * becomes a JSON null once its message has crossed the network or been persisted, and both mean
   * "not given".
   */
  public static JsonNode absentIfNull(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }
}

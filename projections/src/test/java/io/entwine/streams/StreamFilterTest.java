package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamFilterTest {
  private static StreamFilter of(Map<String, String> parameters) {
    return StreamFilter.from(name -> Optional.ofNullable(parameters.get(name)));
  }

  @Test
  void absentOrPlusMeansAnyAndKindsDefaultToAll() {
    StreamFilter filter = of(Map.of("typeId", "+", "format", "json"));
    assertEquals(StreamKind.ALL, filter.kinds());
    assertTrue(filter.matches(StreamKind.EVENT, "any", "d", "e", "json"));
    assertFalse(filter.matches(StreamKind.EVENT, "any", "d", "e", "bin"));
    assertTrue(filter.matches(StreamKind.STATUS, "any", "d", null, null), "status has no format");
  }

  @Test
  void eachValueMustMatch() {
    StreamFilter filter =
        of(Map.of("typeId", "t", "deviceId", "d", "eventId", "e", "kinds", "event, command"));
    assertEquals(Set.of(StreamKind.EVENT, StreamKind.COMMAND), filter.kinds());
    assertTrue(filter.matches(StreamKind.EVENT, "t", "d", "e", "json"));
    assertFalse(filter.matches(StreamKind.EVENT, "t", "x", "e", "json"));
    assertFalse(filter.matches(StreamKind.EVENT, "x", "d", "e", "json"));
    assertFalse(filter.matches(StreamKind.EVENT, "t", "d", "f", "json"));
    assertFalse(filter.matches(StreamKind.STATE, "t", "d", null, null), "kind not asked for");
  }

  @Test
  void refusesUnknownKindsAndInvalidIdentifiers() {
    assertThrows(StreamFilter.InvalidFilter.class, () -> of(Map.of("kinds", "event,alarm")));
    assertThrows(StreamFilter.InvalidFilter.class, () -> of(Map.of("kinds", "event,")));
    assertThrows(StreamFilter.InvalidFilter.class, () -> of(Map.of("typeId", "a/b")));
    assertThrows(StreamFilter.InvalidFilter.class, () -> of(Map.of("deviceId", "x".repeat(33))));
    assertThrows(StreamFilter.InvalidFilter.class, () -> of(Map.of("eventId", "")));
  }

  @Test
  void readsAJsonObjectWithKindsAsAnArrayAndWritesKindsByWireNameInOrder() throws Exception {
    ObjectMapper json = new ObjectMapper();
    StreamFilter filter =
        StreamFilter.fromJson(
            json.readTree("{\"typeId\":\"t\",\"deviceId\":\"+\",\"kinds\":[\"state\",\"event\"]}"));
    assertEquals(
        new StreamFilter("t", null, null, null, Set.of(StreamKind.EVENT, StreamKind.STATE)),
        filter);
    assertEquals(
        "[\"event\",\"state\"]", json.<JsonNode>valueToTree(filter).get("kinds").toString());
    assertEquals(filter, json.treeToValue(json.valueToTree(filter), StreamFilter.class));
    assertThrows(
        StreamFilter.InvalidFilter.class,
        () -> StreamFilter.fromJson(json.readTree("{\"kinds\":[\"event\",\"alarm\"]}")));
  }
}

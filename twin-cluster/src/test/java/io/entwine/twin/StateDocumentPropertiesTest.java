package io.entwine.twin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The state document's tree operations over random documents: a small key and value space, so that
 * reported and desired often share keys, values and subtrees, and 15 meets 15.0.
 */
class StateDocumentPropertiesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Instant AT = Instant.parse("2026-12-07T06:00:00Z");

  @Property
  void theDeltaMergedIntoReportedGivesEveryDesiredLeaf(
      @ForAll("documents") ObjectNode desired, @ForAll("documents") ObjectNode reported) {
    ObjectNode delta = StateTrees.delta(desired, reported);
    ObjectNode merged = reported.deepCopy();
    StateTrees.merge(merged, NODES.objectNode(), delta, 1);

    for (Map.Entry<String, JsonNode> leaf : leaves(desired, "").entrySet()) {
      assertTrue(
          StateTrees.same(at(merged, leaf.getKey()), leaf.getValue()),
          "leaf " + leaf.getKey() + " of " + desired + " after " + delta + " on " + reported);
    }
    assertTrue(StateTrees.delta(desired, merged).isEmpty(), "nothing is left to do after it");
  }

  @Property
  void theDeltaHoldsOnlyDesiredLeavesThatReportedLacks(
      @ForAll("documents") ObjectNode desired, @ForAll("documents") ObjectNode reported) {
    ObjectNode delta = StateTrees.delta(desired, reported);

    for (Map.Entry<String, JsonNode> leaf : leaves(delta, "").entrySet()) {
      assertTrue(StateTrees.same(at(desired, leaf.getKey()), leaf.getValue()), leaf.getKey());
      assertFalse(StateTrees.same(at(reported, leaf.getKey()), leaf.getValue()), leaf.getKey());
    }
  }

  @Property
  void aMergePatchSetsItsValuesAndItsNullsRemove(
      @ForAll("documents") ObjectNode target, @ForAll("patches") ObjectNode patch) {
    ObjectNode merged = target.deepCopy();
    ObjectNode times = NODES.objectNode();
    StateTrees.merge(merged, times, patch, 1);

    assertPatched(merged, patch);
    for (Map.Entry<String, JsonNode> leaf : leaves(merged, "").entrySet()) {
      if (!StateTrees.same(at(target, leaf.getKey()), leaf.getValue())) {
        JsonNode time = at(times, leaf.getKey());
        assertTrue(time != null && time.asLong() == 1, "the changed leaf " + leaf.getKey());
      }
    }
    assertFalse(hasNull(merged), "a merged document holds no nulls: " + merged);
  }

  @Property
  void aReplacedDesiredStateEqualsTheDocumentWithoutItsNulls(
      @ForAll("documents") ObjectNode before, @ForAll("patches") ObjectNode document) {
    StateDocument state =
        StateDocument.NONE.withDesired(before, false, AT).orElse(StateDocument.NONE);

    StateDocument replaced = state.withDesired(document, true, AT.plusSeconds(1)).orElse(state);

    ObjectNode withoutNulls = NODES.objectNode();
    StateTrees.merge(withoutNulls, NODES.objectNode(), document, 0);
    assertTrue(StateTrees.same(withoutNulls, replaced.desired()), replaced.desired().toString());
    assertEquals(
        leaves(replaced.desired(), "").keySet(), leaves(replaced.desiredTimes(), "").keySet());
  }

  @Property
  void everyChangeIncrementsTheVersionAndAnUnchangedDocumentDoesNot(
      @ForAll("documents") ObjectNode reported, @ForAll("documents") ObjectNode desired) {
    StateDocument state = StateDocument.NONE;
    long expected = 0;
    for (ObjectNode patch : List.of(reported, desired, reported)) {
      var changed = state.withReported(patch, AT);
      if (changed.isPresent()) {
        expected++;
        state = changed.get();
      }
      assertEquals(expected, state.version());
      assertTrue(state.withReported(patch, AT).isEmpty(), "the same patch again changes nothing");
    }
  }

  /** Every key of {@code patch} has its effect on {@code merged}. */
  private static void assertPatched(JsonNode merged, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      JsonNode value = field.getValue();
      JsonNode result = merged.get(field.getKey());
      if (value.isNull()) {
        assertNull(result, "null removes " + field.getKey());
      } else if (value.isObject()) {
        assertTrue(result != null && result.isObject(), field.getKey());
        assertPatched(result, (ObjectNode) value);
      } else {
        assertTrue(StateTrees.same(result, value), field.getKey());
      }
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<ObjectNode> documents() {
    return objects(3, false);
  }

  @Provide
  Arbitrary<ObjectNode> patches() {
    return objects(3, true);
  }

  private static Arbitrary<ObjectNode> objects(int depth, boolean withNulls) {
    Arbitrary<JsonNode> values =
        depth == 0
            ? scalars(withNulls)
            : Arbitraries.frequencyOf(
                Tuple.of(3, scalars(withNulls)),
                Tuple.of(1, objects(depth - 1, withNulls).map(o -> (JsonNode) o)));
    return Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), values)
        .ofMaxSize(4)
        .map(
            map -> {
              ObjectNode node = NODES.objectNode();
              map.forEach(node::set);
              return node;
            });
  }

  private static Arbitrary<JsonNode> scalars(boolean withNulls) {
    List<JsonNode> values =
        new ArrayList<>(
            List.of(
                NODES.numberNode(15),
                NODES.numberNode(15.0),
                NODES.numberNode(21.5),
                NODES.textNode("eco"),
                NODES.booleanNode(true),
                NODES.arrayNode().add(1).add(2),
                NODES.arrayNode().add(1)));
    if (withNulls) {
      values.add(NODES.nullNode());
      values.add(NODES.nullNode());
    }
    return Arbitraries.of(values);
  }

  // ---- paths ----

  /** Every leaf of {@code node} by its path ("/a/b"); an empty object is no leaf. */
  private static Map<String, JsonNode> leaves(JsonNode node, String prefix) {
    Map<String, JsonNode> leaves = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String path = prefix + "/" + field.getKey();
      if (field.getValue().isObject()) {
        leaves.putAll(leaves(field.getValue(), path));
      } else {
        leaves.put(path, field.getValue());
      }
    }
    return leaves;
  }

  private static JsonNode at(JsonNode node, String path) {
    JsonNode found = node.at(path);
    return found.isMissingNode() ? null : found;
  }

  private static boolean hasNull(JsonNode node) {
    if (node.isNull()) {
      return true;
    }
    for (JsonNode child : node) {
      if (hasNull(child)) {
        return true;
      }
    }
    return false;
  }
}

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
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The state document's tree operations over random documents: a small key and value space, so that
 * reported and desired often share keys, values and subtrees, and 15 meets 15.0. Each property is
 * checked on {@value #TRIES} pairs from a seeded generator (plain JUnit: jqwik 1.10 prints a notice
 * asking AI agents not to use it, and this project is written with them; ADR 0049), so a failure
 * names the try that reproduces it.
 */
class StateDocumentPropertiesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Instant AT = Instant.parse("2026-12-07T06:00:00Z");
  private static final int TRIES = 1_000;
  private static final long SEED = 20261207L;

  /** Runs {@code property} on {@link #TRIES} pairs drawn by {@code first} and {@code second}. */
  private static void forAll(
      Function<Random, ObjectNode> first,
      Function<Random, ObjectNode> second,
      BiConsumer<ObjectNode, ObjectNode> property) {
    Random random = new Random(SEED);
    for (int i = 0; i < TRIES; i++) {
      ObjectNode a = first.apply(random);
      ObjectNode b = second.apply(random);
      try {
        property.accept(a, b);
      } catch (AssertionError e) {
        throw new AssertionError("try " + i + " (seed " + SEED + "): " + a + ", " + b, e);
      }
    }
  }

  @Test
  void theDeltaMergedIntoReportedGivesEveryDesiredLeaf() {
    forAll(
        StateDocumentPropertiesTest::document,
        StateDocumentPropertiesTest::document,
        (desired, reported) -> {
          ObjectNode delta = StateTrees.delta(desired, reported);
          ObjectNode merged = reported.deepCopy();
          StateTrees.merge(merged, NODES.objectNode(), delta, 1);

          for (Map.Entry<String, JsonNode> leaf : leaves(desired, "").entrySet()) {
            assertTrue(
                StateTrees.same(at(merged, leaf.getKey()), leaf.getValue()),
                "leaf " + leaf.getKey() + " of " + desired + " after " + delta + " on " + reported);
          }
          assertTrue(StateTrees.delta(desired, merged).isEmpty(), "nothing is left to do after it");
        });
  }

  @Test
  void theDeltaHoldsOnlyDesiredLeavesThatReportedLacks() {
    forAll(
        StateDocumentPropertiesTest::document,
        StateDocumentPropertiesTest::document,
        (desired, reported) -> {
          ObjectNode delta = StateTrees.delta(desired, reported);

          for (Map.Entry<String, JsonNode> leaf : leaves(delta, "").entrySet()) {
            assertTrue(StateTrees.same(at(desired, leaf.getKey()), leaf.getValue()), leaf.getKey());
            assertFalse(
                StateTrees.same(at(reported, leaf.getKey()), leaf.getValue()), leaf.getKey());
          }
        });
  }

  @Test
  void aMergePatchSetsItsValuesAndItsNullsRemove() {
    forAll(
        StateDocumentPropertiesTest::document,
        StateDocumentPropertiesTest::patch,
        (target, patch) -> {
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
        });
  }

  @Test
  void aReplacedDesiredStateEqualsTheDocumentWithoutItsNulls() {
    forAll(
        StateDocumentPropertiesTest::document,
        StateDocumentPropertiesTest::patch,
        (before, document) -> {
          StateDocument state =
              StateDocument.NONE.withDesired(before, false, AT).orElse(StateDocument.NONE);

          StateDocument replaced =
              state.withDesired(document, true, AT.plusSeconds(1)).orElse(state);

          ObjectNode withoutNulls = NODES.objectNode();
          StateTrees.merge(withoutNulls, NODES.objectNode(), document, 0);
          assertTrue(
              StateTrees.same(withoutNulls, replaced.desired()), replaced.desired().toString());
          assertEquals(
              leaves(replaced.desired(), "").keySet(),
              leaves(replaced.desiredTimes(), "").keySet());
        });
  }

  @Test
  void everyChangeIncrementsTheVersionAndAnUnchangedDocumentDoesNot() {
    forAll(
        StateDocumentPropertiesTest::document,
        StateDocumentPropertiesTest::document,
        (reported, desired) -> {
          StateDocument state = StateDocument.NONE;
          long expected = 0;
          for (ObjectNode patch : List.of(reported, desired, reported)) {
            var changed = state.withReported(patch, AT);
            if (changed.isPresent()) {
              expected++;
              state = changed.get();
            }
            assertEquals(expected, state.version());
            assertTrue(
                state.withReported(patch, AT).isEmpty(), "the same patch again changes nothing");
          }
        });
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

  private static ObjectNode document(Random random) {
    return object(random, 3, false);
  }

  private static ObjectNode patch(Random random) {
    return object(random, 3, true);
  }

  private static final List<String> KEYS = List.of("a", "b", "c", "d");

  /** Up to four of the keys, each a scalar or (three times in four: a scalar) an object. */
  private static ObjectNode object(Random random, int depth, boolean withNulls) {
    ObjectNode node = NODES.objectNode();
    int size = random.nextInt(5);
    for (int i = 0; i < size; i++) {
      String key = KEYS.get(random.nextInt(KEYS.size()));
      boolean nested = depth > 0 && random.nextInt(4) == 0;
      node.set(key, nested ? object(random, depth - 1, withNulls) : scalar(random, withNulls));
    }
    return node;
  }

  private static JsonNode scalar(Random random, boolean withNulls) {
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
    return values.get(random.nextInt(values.size()));
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

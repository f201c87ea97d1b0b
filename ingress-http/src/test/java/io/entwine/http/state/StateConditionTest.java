package io.entwine.http.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entwine.protocol.Reply;
import org.junit.jupiter.api.Test;

/** Ditto's RQL subset on the state document: what holds, and where a malformed one goes wrong. */
class StateConditionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static final Reply.StateView STATE =
      new Reply.StateView(
          json("{\"temp\":21.5,\"mode\":\"eco\",\"net\":{\"up\":true},\"list\":[1,2]}"),
          json("{\"interval\":15}"),
          json("{\"interval\":15}"),
          7,
          json("{}"));

  private static boolean holds(String condition) throws StateCondition.Malformed {
    return StateCondition.parse(condition).holdsFor(STATE);
  }

  @Test
  void comparesLeavesVersionAndNumbersByValue() throws Exception {
    assertTrue(holds("eq(reported/temp,21.5)"));
    assertTrue(holds("eq(desired/interval,15.0)"));
    assertTrue(holds("eq(reported/mode,\"eco\")"));
    assertTrue(holds("eq(reported/net/up,true)"));
    assertTrue(holds("eq(reported/list/1,2)"));
    assertTrue(holds("eq(version,7)"));
    assertTrue(holds("ne(reported/mode,\"off\")"));
    assertTrue(holds("ne(reported/missing,1)"), "ne holds where there is no value");
    assertTrue(holds("gt(reported/temp,21)"));
    assertTrue(holds("ge(version,7)"));
    assertTrue(holds("lt(reported/mode,\"f\")"));
    assertTrue(holds("le(desired/interval,15)"));
    assertFalse(holds("gt(reported/mode,1)"), "a string does not order with a number");
    assertFalse(holds("lt(reported/missing,1)"));
    assertFalse(holds("eq(reported/temp,\"21.5\")"));
  }

  @Test
  void combinesWithAndOrNotAndExists() throws Exception {
    assertTrue(holds("and(exists(reported/temp),not(exists(desired/mode)))"));
    assertTrue(holds("or(eq(version,1), eq(version,7))"));
    assertFalse(holds("and(eq(version,7),eq(reported/mode,\"off\"))"));
    assertTrue(holds("exists(reported/net)"));
    assertFalse(holds("exists(desired/interval/deeper)"));
  }

  @Test
  void malformedConditionsNameThePosition() {
    assertMalformed("eq(reported/temp 21)", "position 18");
    assertMalformed("eq(reported/temp,21", "position 20");
    assertMalformed("like(reported/temp,21)", "unknown operator 'like'");
    assertMalformed("eq(metadata/temp,1)", "position 4");
    assertMalformed("eq(version/x,1)", "expected a path");
    assertMalformed("eq(reported//temp,1)", "expected a path");
    assertMalformed("eq(reported/temp,abc)", "expected a value");
    assertMalformed("eq(reported/temp,15abc)", "expected a value");
    assertMalformed("eq(reported/temp,\"open)", "not closed");
    assertMalformed("eq(version,1) and", "after the condition");
    assertMalformed("", "expected an operator");
    assertMalformed("not(".repeat(40) + "exists(version)" + ")".repeat(40), "nest");
    assertMalformed("x".repeat(StateCondition.MAX_LENGTH + 1), "at most");
  }

  private static void assertMalformed(String condition, String expected) {
    StateCondition.Malformed malformed =
        assertThrows(StateCondition.Malformed.class, () -> StateCondition.parse(condition));
    assertTrue(malformed.getMessage().contains(expected), malformed.getMessage());
  }

  @Test
  void aPositionCountsFromOne() {
    StateCondition.Malformed malformed =
        assertThrows(StateCondition.Malformed.class, () -> StateCondition.parse("eq(x,1)"));
    assertTrue(
        malformed.getMessage().startsWith("Invalid condition at position 4: expected a path"),
        malformed.getMessage());
  }
}

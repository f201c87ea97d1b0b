package io.entwine.http.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.entwine.protocol.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code condition} query parameter of the state routes: a small subset of the RQL that Eclipse
 * Ditto's conditional requests take — {@code eq}, {@code ne}, {@code gt}, {@code ge}, {@code lt},
 * {@code le}, {@code exists}, {@code and}, {@code or}, {@code not} — over the paths {@code
 * reported/…}, {@code desired/…} and {@code version}. Values are JSON strings, numbers, {@code
 * true}, {@code false} and {@code null}.
 */
sealed interface StateCondition {
  /** Longer conditions are refused, so parsing and evaluation stay cheap. */
  int MAX_LENGTH = 2048;

  /** Deeper nesting is refused, so a condition cannot exhaust the stack. */
  int MAX_NESTING = 16;

  boolean holdsFor(Reply.StateView state);

  /** A condition that could not be parsed; {@code position} counts characters from 1. */
  final class Malformed extends Exception {
    Malformed(String message, int position) {
      super("Invalid condition at position " + position + ": " + message);
    }
  }

  static StateCondition parse(String text) throws Malformed {
    if (text.length() > MAX_LENGTH) {
      throw new Malformed("a condition has at most " + MAX_LENGTH + " characters", MAX_LENGTH + 1);
    }
    Parser parser = new Parser(text);
    StateCondition condition = parser.query(0);
    parser.skipSpace();
    if (!parser.atEnd()) {
      throw parser.malformed("unexpected '" + parser.current() + "' after the condition");
    }
    return condition;
  }

  /** The value at {@code path} of {@code state}, or null when there is none. */
  private static JsonNode valueAt(List<String> path, Reply.StateView state) {
    JsonNode node =
        switch (path.get(0)) {
          case "version" -> JsonNodeFactory.instance.numberNode(state.version());
          case "reported" -> state.reported();
          default -> state.desired();
        };
    for (String segment : path.subList(1, path.size())) {
      node = node == null ? null : node.isArray() ? arrayElement(node, segment) : node.get(segment);
    }
    return node;
  }

  private static JsonNode arrayElement(JsonNode array, String segment) {
    return segment.chars().allMatch(Character::isDigit) && segment.length() < 10
        ? array.get(Integer.parseInt(segment))
        : null;
  }

  enum Comparison {
    EQ,
    NE,
    GT,
    GE,
    LT,
    LE;

    boolean holds(JsonNode actual, JsonNode expected) {
      if (this == EQ || this == NE) {
        return (this == EQ) == (actual != null && equal(actual, expected));
      }
      Integer order = order(actual, expected);
      if (order == null) {
        return false;
      }
      return switch (this) {
        case GT -> order > 0;
        case GE -> order >= 0;
        case LT -> order < 0;
        default -> order <= 0;
      };
    }

    /** Numbers by value (15 equals 15.0), everything else as JSON. */
    private static boolean equal(JsonNode actual, JsonNode expected) {
      return actual.isNumber() && expected.isNumber()
          ? actual.decimalValue().compareTo(expected.decimalValue()) == 0
          : actual.equals(expected);
    }

    /** Numbers with numbers, strings with strings; null when they do not compare. */
    private static Integer order(JsonNode actual, JsonNode expected) {
      if (actual == null) {
        return null;
      }
      if (actual.isNumber() && expected.isNumber()) {
        return actual.decimalValue().compareTo(expected.decimalValue());
      }
      if (actual.isTextual() && expected.isTextual()) {
        return actual.textValue().compareTo(expected.textValue());
      }
      return null;
    }
  }

  record Compare(Comparison comparison, List<String> path, JsonNode value)
      implements StateCondition {
    @Override
    public boolean holdsFor(Reply.StateView state) {
      return comparison.holds(valueAt(path, state), value);
    }
  }

  record Exists(List<String> path) implements StateCondition {
    @Override
    public boolean holdsFor(Reply.StateView state) {
      return valueAt(path, state) != null;
    }
  }

  record All(List<StateCondition> conditions) implements StateCondition {
    @Override
    public boolean holdsFor(Reply.StateView state) {
      return conditions.stream().allMatch(condition -> condition.holdsFor(state));
    }
  }

  record Any(List<StateCondition> conditions) implements StateCondition {
    @Override
    public boolean holdsFor(Reply.StateView state) {
      return conditions.stream().anyMatch(condition -> condition.holdsFor(state));
    }
  }

  record Not(StateCondition condition) implements StateCondition {
    @Override
    public boolean holdsFor(Reply.StateView state) {
      return !condition.holdsFor(state);
    }
  }

  /** A recursive-descent parser over the text; {@code at} is the next character's index. */
  final class Parser {
    private static final ObjectMapper JSON =
        new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final String text;
    private int at;

    private Parser(String text) {
      this.text = text;
    }

    StateCondition query(int nesting) throws Malformed {
      if (nesting >= MAX_NESTING) {
        throw malformed("conditions nest at most " + MAX_NESTING + " levels deep");
      }
      skipSpace();
      int start = at;
      while (!atEnd() && Character.isLetter(current())) {
        at++;
      }
      String operator = text.substring(start, at);
      if (operator.isEmpty()) {
        throw malformed("expected an operator (eq, ne, gt, ge, lt, le, exists, and, or, not)");
      }
      expect('(');
      StateCondition condition =
          switch (operator) {
            case "eq", "ne", "gt", "ge", "lt", "le" -> comparison(operator);
            case "exists" -> new Exists(path());
            case "and" -> new All(queries(nesting));
            case "or" -> new Any(queries(nesting));
            case "not" -> new Not(query(nesting + 1));
            default -> {
              at = start;
              throw malformed(
                  "unknown operator '"
                      + operator
                      + "'; use eq, ne, gt, ge, lt, le, exists, and, or, not");
            }
          };
      expect(')');
      return condition;
    }

    private StateCondition comparison(String operator) throws Malformed {
      List<String> path = path();
      expect(',');
      JsonNode value = value();
      return new Compare(Comparison.valueOf(operator.toUpperCase(Locale.ROOT)), path, value);
    }

    private List<StateCondition> queries(int nesting) throws Malformed {
      List<StateCondition> queries = new ArrayList<>();
      queries.add(query(nesting + 1));
      skipSpace();
      while (!atEnd() && current() == ',') {
        at++;
        queries.add(query(nesting + 1));
        skipSpace();
      }
      return queries;
    }

    /** {@code version}, or {@code reported} or {@code desired} with {@code /}-separated keys. */
    private List<String> path() throws Malformed {
      skipSpace();
      int start = at;
      while (!atEnd() && current() != ',' && current() != ')' && current() != ' ') {
        at++;
      }
      String path = text.substring(start, at);
      List<String> segments = List.of(path.split("/", -1));
      String root = segments.get(0);
      boolean valid =
          root.equals("version")
              ? segments.size() == 1
              : (root.equals("reported") || root.equals("desired"))
                  && segments.stream().noneMatch(String::isEmpty);
      if (!valid) {
        at = start;
        throw malformed(
            "expected a path: version, reported/<key>[/<key>…] or desired/<key>[/<key>…]"
                + (path.isEmpty() ? "" : ", not '" + path + "'"));
      }
      return segments;
    }

    /** A JSON string, number, true, false or null. */
    private JsonNode value() throws Malformed {
      skipSpace();
      int start = at;
      if (!atEnd() && current() == '"') {
        at++;
        while (!atEnd() && current() != '"') {
          at += current() == '\\' ? 2 : 1;
        }
        if (atEnd()) {
          at = start;
          throw malformed("a string value is not closed");
        }
        at++;
      } else {
        while (!atEnd() && current() != ',' && current() != ')' && current() != ' ') {
          at++;
        }
      }
      String literal = text.substring(start, at);
      try {
        JsonNode value = literal.isEmpty() ? null : JSON.readTree(literal);
        if (value != null && (value.isValueNode() || value.isNull())) {
          return value;
        }
      } catch (JsonProcessingException notJson) {
        // answered below
      }
      at = start;
      throw malformed(
          "expected a value: a \"string\", a number, true, false or null"
              + (literal.isEmpty() ? "" : ", not " + literal));
    }

    private void expect(char wanted) throws Malformed {
      skipSpace();
      if (atEnd() || current() != wanted) {
        throw malformed(
            "expected '" + wanted + "'" + (atEnd() ? " at the end" : ", not '" + current() + "'"));
      }
      at++;
    }

    void skipSpace() {
      while (!atEnd() && current() == ' ') {
        at++;
      }
    }

    boolean atEnd() {
      return at >= text.length();
    }

    char current() {
      return text.charAt(at);
    }

    Malformed malformed(String message) {
      return new Malformed(message, at + 1);
    }
  }
}

package io.entwine.ingress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Event payload rules shared by every protocol: which formats exist, that a {@code json} payload is
 * valid JSON, and the IOTF {@code {"d": {...}, "ts": "ISO8601"}} form whose {@code ts} becomes the
 * event time (seed section 5.4.1).
 */
public final class Payloads {
  public static final String JSON = "json";

  private static final JsonFactory JSON_FACTORY = new JsonFactory();

  private Payloads() {}

  /** Either an error message for a malformed payload, or the event time the payload carries. */
  public record Inspection(String error, Optional<Instant> eventTime) {
    public boolean isValid() {
      return error == null;
    }
  }

  private static final Inspection VALID_WITHOUT_TIME = new Inspection(null, Optional.empty());

  public static Inspection inspect(String format, byte[] payload) {
    if (!JSON.equals(format)) {
      return VALID_WITHOUT_TIME;
    }
    // A streaming pass: validates the whole document without building a tree.
    try (JsonParser parser = JSON_FACTORY.createParser(payload)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new Inspection("Invalid JSON: the body is empty", Optional.empty());
      }
      Optional<Instant> eventTime = Optional.empty();
      if (first == JsonToken.START_OBJECT) {
        eventTime = readTopLevelTs(parser);
      } else {
        parser.skipChildren();
      }
      if (parser.nextToken() != null) {
        return new Inspection("Invalid JSON: unexpected content after the value", Optional.empty());
      }
      return eventTime.isEmpty() ? VALID_WITHOUT_TIME : new Inspection(null, eventTime);
    } catch (JsonProcessingException e) {
      return new Inspection("Invalid JSON: " + e.getOriginalMessage(), Optional.empty());
    } catch (IOException e) {
      return new Inspection("Invalid JSON: " + e.getMessage(), Optional.empty());
    }
  }

  private static Optional<Instant> readTopLevelTs(JsonParser parser) throws IOException {
    Optional<Instant> eventTime = Optional.empty();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if ("ts".equals(field) && value == JsonToken.VALUE_STRING) {
        eventTime = parseIso8601(parser.getText());
      } else {
        parser.skipChildren();
      }
    }
    return eventTime;
  }

  static Optional<Instant> parseIso8601(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException notOffset) {
      try {
        return Optional.of(Instant.parse(text));
      } catch (DateTimeParseException notInstant) {
        return Optional.empty();
      }
    }
  }
}

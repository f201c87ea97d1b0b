package io.entwine.ingress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Event payload rules shared by every protocol: which formats exist, that a {@code json} payload is
 * valid JSON in UTF-8, and the IOTF {@code {"d": {...}, "ts": "ISO8601"}} form whose {@code ts}
 * becomes the event time (IBM IoT Foundation documentation, 5.4.1 "IOTF JSON Payload
 * Specification").
 *
 * <p>JSON exchanged between systems is UTF-8 without a byte order mark (RFC 8259, section 8.1).
 * Jackson would read UTF-16 and UTF-32 and skip a BOM, but stored as sent such a payload is not
 * JSON to whoever reads it next (the historian embeds it): a UTF-8 BOM is dropped here, UTF-16 and
 * UTF-32 are refused, so every protocol stores the same normalized bytes.
 */
public final class Payloads {
  public static final String JSON = "json";

  private static final JsonFactory JSON_FACTORY = new JsonFactory();

  private Payloads() {}

  /**
   * Either an error message for a malformed payload, or the payload to store (normalized: a {@code
   * json} payload without its UTF-8 byte order mark) and the event time it carries.
   */
  public record Inspection(String error, Optional<Instant> eventTime, byte[] payload) {
    public boolean isValid() {
      return error == null;
    }
  }

  private static Inspection invalid(String error) {
    return new Inspection(error, Optional.empty(), null);
  }

  public static Inspection inspect(String format, byte[] sent) {
    if (!JSON.equals(format)) {
      return new Inspection(null, Optional.empty(), sent);
    }
    String notUtf8 = notUtf8(sent);
    if (notUtf8 != null) {
      return invalid(
          "Invalid JSON: the body is " + notUtf8 + "; JSON must be UTF-8 (RFC 8259, section 8.1)");
    }
    byte[] payload = withoutUtf8Bom(sent);
    // A streaming pass: validates the whole document without building a tree.
    try (JsonParser parser = JSON_FACTORY.createParser(payload)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return invalid("Invalid JSON: the body is empty");
      }
      Optional<Instant> eventTime = Optional.empty();
      if (first == JsonToken.START_OBJECT) {
        eventTime = readTopLevelTs(parser);
      } else {
        parser.skipChildren();
      }
      if (parser.nextToken() != null) {
        return invalid("Invalid JSON: unexpected content after the value");
      }
      return new Inspection(null, eventTime, payload);
    } catch (JsonProcessingException e) {
      return invalid("Invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return invalid("Invalid JSON: " + e.getMessage());
    }
  }

  /**
   * What other encoding the bytes are in, by their byte order mark or, without one, by the zero
   * bytes that UTF-16 and UTF-32 put into the first characters, which are ASCII in any JSON text
   * (the detection of RFC 4627, section 3); null when they may be UTF-8.
   */
  private static String notUtf8(byte[] b) {
    if (startsWith(b, 0x00, 0x00, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE, 0x00, 0x00)) {
      return "UTF-32 (it starts with a UTF-32 byte order mark)";
    }
    if (startsWith(b, 0xFE, 0xFF) || startsWith(b, 0xFF, 0xFE)) {
      return "UTF-16 (it starts with a UTF-16 byte order mark)";
    }
    int checked = Math.min(b.length, 4);
    for (int i = 0; i < checked; i++) {
      if (b[i] == 0) {
        return "UTF-16 or UTF-32 (it has zero bytes among its first characters)";
      }
    }
    return null;
  }

  private static byte[] withoutUtf8Bom(byte[] b) {
    return startsWith(b, 0xEF, 0xBB, 0xBF) ? Arrays.copyOfRange(b, 3, b.length) : b;
  }

  private static boolean startsWith(byte[] b, int... prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((b[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes a stored {@code json} payload to {@code out} as the JSON value it holds, re-encoded by
   * the generator, and true; false, writing nothing, when it does not hold exactly one JSON value.
   * Journals may hold payloads accepted before {@link #inspect} normalized them (with a byte order
   * mark, in UTF-16, or not JSON at all): copying their bytes would make the answer invalid JSON.
   */
  public static boolean writeJson(byte[] payload, JsonGenerator out) throws IOException {
    try (JsonParser parser = JSON_FACTORY.createParser(payload);
        TokenBuffer value = new TokenBuffer(parser)) {
      if (parser.nextToken() == null) {
        return false;
      }
      value.copyCurrentStructure(parser);
      if (parser.nextToken() != null) {
        return false;
      }
      value.serialize(out);
      return true;
    } catch (JsonProcessingException e) {
      return false;
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

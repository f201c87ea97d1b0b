package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PayloadsTest {

  @Test
  void nonJsonFormatsAreAlwaysValid() {
    for (String format : new String[] {"text", "bin", "xml", "csv"}) {
      Payloads.Inspection inspection =
          Payloads.inspect(format, new byte[] {(byte) 0xff, 0, '{', '"'});
      assertTrue(inspection.isValid(), format);
      assertEquals(Optional.empty(), inspection.eventTime(), format);
    }
    assertTrue(Payloads.inspect("text", new byte[0]).isValid(), "even an empty body");
  }

  @Test
  void invalidJsonIsRejectedWithAMessage() {
    Payloads.Inspection inspection = inspect("{\"d\": {\"temp\": }}");

    assertFalse(inspection.isValid());
    assertTrue(inspection.error().startsWith("Invalid JSON"), inspection.error());
    assertEquals(Optional.empty(), inspection.eventTime());
  }

  @Test
  void truncatedJsonIsInvalid() {
    Payloads.Inspection inspection = inspect("{\"d\": {\"temp\": 21}");

    assertFalse(inspection.isValid());
    assertTrue(inspection.error().startsWith("Invalid JSON"), inspection.error());
  }

  @Test
  void emptyBodyIsInvalidJson() {
    for (String body : new String[] {"", "   ", "\n"}) {
      Payloads.Inspection inspection = inspect(body);
      assertFalse(inspection.isValid(), "'" + body + "'");
      assertTrue(inspection.error().startsWith("Invalid JSON"), inspection.error());
    }
  }

  @Test
  void trailingContentAfterTheValueIsInvalid() {
    for (String body : new String[] {"{\"a\":1} x", "{\"a\":1}{\"b\":2}", "[1] [2]", "1 2"}) {
      Payloads.Inspection inspection = inspect(body);
      assertFalse(inspection.isValid(), body);
      assertTrue(inspection.error().startsWith("Invalid JSON"), inspection.error());
    }
  }

  @Test
  void trailingWhitespaceIsValid() {
    assertTrue(inspect("{\"a\":1}  \n").isValid());
  }

  @Test
  void iotfTimestampWithOffsetBecomesTheEventTime() {
    Payloads.Inspection inspection =
        inspect(
            "{\"d\":{\"temp\":21,\"ts\":\"1999-01-01T00:00:00Z\"},\"ts\":\"2014-12-30T14:47:36+00:00\"}");

    assertTrue(inspection.isValid());
    assertEquals(Optional.of(Instant.parse("2014-12-30T14:47:36Z")), inspection.eventTime());
  }

  @Test
  void iotfTimestampWithZuluSuffixBecomesTheEventTime() {
    Payloads.Inspection inspection = inspect("{\"ts\":\"2014-12-30T14:47:36Z\",\"d\":{}}");

    assertEquals(Optional.of(Instant.parse("2014-12-30T14:47:36Z")), inspection.eventTime());
  }

  @Test
  void iotfTimestampInAnotherZoneIsConvertedToUtc() {
    Payloads.Inspection inspection = inspect("{\"d\":{},\"ts\":\"2014-12-30T16:47:36.250+02:00\"}");

    assertEquals(Optional.of(Instant.parse("2014-12-30T14:47:36.250Z")), inspection.eventTime());
  }

  @Test
  void invalidTimestampLeavesAValidPayloadWithoutEventTime() {
    for (String ts :
        new String[] {"\"yesterday\"", "\"2014-12-30T14:47:36\"", "1419950856", "null"}) {
      Payloads.Inspection inspection = inspect("{\"d\":{\"temp\":21},\"ts\":" + ts + "}");
      assertTrue(inspection.isValid(), ts);
      assertEquals(Optional.empty(), inspection.eventTime(), ts);
    }
  }

  @Test
  void nestedTsIsNotTheEventTime() {
    Payloads.Inspection inspection = inspect("{\"d\":{\"ts\":\"2014-12-30T14:47:36Z\"}}");

    assertTrue(inspection.isValid());
    assertEquals(Optional.empty(), inspection.eventTime());
  }

  @Test
  void arraysAndScalarsAreValidJson() {
    for (String body :
        new String[] {
          "[1, 2, {\"ts\": \"2014-12-30T14:47:36Z\"}]", "[]", "42", "\"text\"", "null"
        }) {
      Payloads.Inspection inspection = inspect(body);
      assertTrue(inspection.isValid(), body);
      assertEquals(Optional.empty(), inspection.eventTime(), body);
    }
  }

  private static Payloads.Inspection inspect(String body) {
    return Payloads.inspect(Payloads.JSON, body.getBytes(StandardCharsets.UTF_8));
  }
}

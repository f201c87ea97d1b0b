package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

  @Test
  void aUtf8ByteOrderMarkIsDroppedFromWhatIsStored() {
    byte[] withBom = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(TS_BODY));

    Payloads.Inspection inspection = Payloads.inspect(Payloads.JSON, withBom);

    assertTrue(inspection.isValid(), inspection.error());
    assertArrayEquals(utf8(TS_BODY), inspection.payload());
    assertEquals(Optional.of(Instant.parse("2014-12-30T14:47:36Z")), inspection.eventTime());
  }

  @Test
  void utf16AndUtf32JsonAreRefusedWithTheEncodingNamed() {
    byte[][] encoded = {
      concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, TS_BODY.getBytes(StandardCharsets.UTF_16BE)),
      concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, TS_BODY.getBytes(StandardCharsets.UTF_16LE)),
      TS_BODY.getBytes(StandardCharsets.UTF_16BE),
      TS_BODY.getBytes(StandardCharsets.UTF_16LE),
      TS_BODY.getBytes(java.nio.charset.Charset.forName("UTF-32BE")),
      concat(
          new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF},
          TS_BODY.getBytes(java.nio.charset.Charset.forName("UTF-32BE")))
    };
    for (byte[] body : encoded) {
      Payloads.Inspection inspection = Payloads.inspect(Payloads.JSON, body);

      assertFalse(inspection.isValid(), java.util.HexFormat.of().formatHex(body, 0, 4));
      assertTrue(inspection.error().contains("JSON must be UTF-8"), inspection.error());
      assertTrue(inspection.error().contains("UTF-16") || inspection.error().contains("UTF-32"));
    }
  }

  @Test
  void bytesThatAreNotUtf8AreInvalidJson() {
    byte[] latin1 = "{\"name\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);

    assertFalse(Payloads.inspect(Payloads.JSON, latin1).isValid());
  }

  @Test
  void otherFormatsAreStoredAsSent() {
    byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i'};

    assertArrayEquals(withBom, Payloads.inspect("text", withBom).payload());
  }

  @Test
  void writeJsonReEncodesWhatAJournalMayHoldAndRefusesWhatIsNotOneJsonValue()
      throws java.io.IOException {
    byte[][] sameValue = {
      utf8("{\"temp\": 21}"),
      concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("{\"temp\": 21}")),
      concat(
          new byte[] {(byte) 0xFE, (byte) 0xFF},
          "{\"temp\": 21}".getBytes(StandardCharsets.UTF_16BE))
    };
    for (byte[] stored : sameValue) {
      java.io.StringWriter out = new java.io.StringWriter();
      try (com.fasterxml.jackson.core.JsonGenerator json =
          new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
        assertTrue(Payloads.writeJson(stored, json));
      }
      assertEquals("{\"temp\":21}", out.toString());
    }
    for (String notOneValue : new String[] {"", "{\"temp\": ", "1 2", "not json"}) {
      java.io.StringWriter out = new java.io.StringWriter();
      try (com.fasterxml.jackson.core.JsonGenerator json =
          new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
        assertFalse(Payloads.writeJson(utf8(notOneValue), json), notOneValue);
      }
      assertEquals("", out.toString(), "nothing written for " + notOneValue);
    }
  }

  private static final String TS_BODY = "{\"d\": {\"t\": 1}, \"ts\": \"2014-12-30T14:47:36Z\"}";

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static Payloads.Inspection inspect(String body) {
    return Payloads.inspect(Payloads.JSON, body.getBytes(StandardCharsets.UTF_8));
  }
}

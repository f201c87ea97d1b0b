package io.entwine.integration.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DownlinkConverterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JavaScript downlink template of ThingsBoard's HTTP integration guide. */
  static final String THINGSBOARD_TEMPLATE =
      """
      // Encode downlink data from incoming Rule Engine message

      // msg - JSON message payload downlink message json
      // msgType - type of message, for ex. 'ATTRIBUTES_UPDATED', 'POST_TELEMETRY_REQUEST', etc.
      // metadata - list of key-value pairs with additional data about the message
      // integrationMetadata - list of key-value pairs with additional data defined in Integration executing this converter

      /** Encoder **/

      // Process data from incoming message and metadata

      var data = {};
      data.firmware = msg.firmware;

      // Result object with encoded downlink payload
      var result = {

          // downlink data content type: JSON, TEXT or BINARY (base64 format)
          contentType: "JSON",

          // downlink data
          data: JSON.stringify(data),

          // Optional metadata object presented in key/value format
          metadata: {
              type: msgType,
              device: metadata['deviceName']
          }

      };

      return result;
      """;

  @Test
  void encodesTheThingsBoardTemplate() throws Exception {
    EncodedDownlink encoded =
        DownlinkConverter.compile(THINGSBOARD_TEMPLATE, ScriptLimits.DEFAULT)
            .encode(
                JSON.readTree("{\"firmware\":\"01052020.v1.1\"}"),
                Map.of("deviceName", "SN-001"),
                "ATTRIBUTES_UPDATED",
                Map.of());

    assertEquals("JSON", encoded.contentType());
    assertEquals("{\"firmware\":\"01052020.v1.1\"}", encoded.data());
    assertEquals(Map.of("type", "ATTRIBUTES_UPDATED", "device", "SN-001"), encoded.metadata());
  }

  @Test
  void rejectsAnUnknownContentType() {
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () ->
                DownlinkConverter.compile(
                        "return {contentType: 'XML', data: '<a/>'};", ScriptLimits.DEFAULT)
                    .encode(JSON.createObjectNode(), Map.of(), "ATTRIBUTES_UPDATED", Map.of()));
    assertEquals(ConverterException.Kind.WRONG_SHAPE, e.kind());
  }

  @Test
  void stopsAnEncoderThatRunsTooLong() {
    ConverterException e =
        assertThrows(
            ConverterException.class,
            () ->
                DownlinkConverter.compile(
                        "while (true) {}", new ScriptLimits(Duration.ofMillis(100), 32))
                    .encode(JSON.createObjectNode(), Map.of(), "ATTRIBUTES_UPDATED", Map.of()));
    assertEquals(ConverterException.Kind.TIMEOUT, e.kind());
  }
}

package io.entwine.deploy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The JSON log encoder configured as logback.xml configures it for ENTWINE_LOG_FORMAT=json. */
class JsonLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void writesOneParsableLineWithTimeLevelLoggerMessageContextAndStackTrace() throws Exception {
    JsonLines encoder = configured();
    LoggerContext context = new LoggerContext();
    Logger logger = context.getLogger("io.entwine.mqtt.MqttConnection");
    LoggingEvent event =
        new LoggingEvent(
            "fqcn",
            logger,
            Level.INFO,
            "MQTT {} refused: \"{}\"\nsecond line",
            new IllegalStateException("boom"),
            new Object[] {"d:acme:t:1", "not authorised"});
    event.setTimeStamp(1_796_000_000_123L);
    event.setMDCPropertyMap(Map.of("pekkoSource", "node"));
    event.addKeyValuePair(new KeyValuePair("clientId", "d:acme:t:1"));

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertTrue(line.endsWith("\n"), line);
    assertEquals(1, line.strip().lines().count(), "one line: " + line);
    JsonNode entry = JSON.readTree(line);
    assertEquals("2026-11-30T00:53:20.123Z", entry.get("time").asText());
    assertEquals("INFO", entry.get("level").asText());
    assertEquals("io.entwine.mqtt.MqttConnection", entry.get("loggerName").asText());
    assertEquals(
        "MQTT d:acme:t:1 refused: \"not authorised\"\nsecond line",
        entry.get("formattedMessage").asText());
    assertTrue(line.contains("\"clientId\":\"d:acme:t:1\""), line);
    assertEquals("node", entry.get("mdc").get("pekkoSource").asText());
    assertEquals("boom", entry.get("throwable").get("message").asText());
  }

  @Test
  void anEventWithoutThrowableOrContextIsStillOneObject() throws Exception {
    LoggerContext context = new LoggerContext();
    LoggingEvent event =
        new LoggingEvent("fqcn", context.getLogger("x"), Level.WARN, "plain", null, null);
    event.setMDCPropertyMap(Map.of());

    JsonNode entry = JSON.readTree(new String(configured().encode(event), StandardCharsets.UTF_8));

    assertEquals("plain", entry.get("formattedMessage").asText());
    assertEquals("WARN", entry.get("level").asText());
  }

  /** As logback.xml sets it up. */
  private static JsonLines configured() {
    JsonLines encoder = new JsonLines();
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}

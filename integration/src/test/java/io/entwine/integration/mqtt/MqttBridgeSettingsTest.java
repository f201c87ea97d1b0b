package io.entwine.integration.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.entwine.integration.Backoff;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MqttBridgeSettingsTest {
  @Test
  void readsTheDocumentedDefaultsAndOverrides() {
    assertEquals(
        new MqttBridgeSettings(
            8,
            16,
            new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            20),
        MqttBridgeSettings.from(ConfigFactory.defaultReference()));
    MqttBridgeSettings overridden =
        MqttBridgeSettings.from(
            ConfigFactory.parseString("entwine.integration.mqtt-bridge.reconnect.max-backoff = 2s")
                .withFallback(ConfigFactory.defaultReference()));
    assertEquals(Duration.ofSeconds(2), overridden.reconnect().maxBackoff());
  }
}

package io.entwine.integration.mqtt;

import com.typesafe.config.Config;
import io.entwine.config.ConfigRecords;
import io.entwine.integration.Backoff;
import java.time.Duration;

/** {@code entwine.integration.mqtt-bridge}, read once. */
public record MqttBridgeSettings(
    int parallelism,
    int bufferSize,
    Backoff reconnect,
    Duration connectionTimeout,
    Duration keepAlive,
    int maxPerOrganization) {

  public static MqttBridgeSettings from(Config config) {
    return ConfigRecords.read(config, "entwine.integration.mqtt-bridge", MqttBridgeSettings.class);
  }
}

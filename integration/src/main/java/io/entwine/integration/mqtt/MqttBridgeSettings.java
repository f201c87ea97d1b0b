package io.entwine.integration.mqtt;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code entwine.integration.mqtt-bridge}, read once. */
public record MqttBridgeSettings(
    int parallelism,
    int bufferSize,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor,
    Duration connectionTimeout,
    Duration keepAlive,
    int maxPerOrganization) {

  public static MqttBridgeSettings from(Config config) {
    Config bridge = config.getConfig("entwine.integration.mqtt-bridge");
    return new MqttBridgeSettings(
        bridge.getInt("parallelism"),
        bridge.getInt("buffer-size"),
        bridge.getDuration("reconnect.min-backoff"),
        bridge.getDuration("reconnect.max-backoff"),
        bridge.getDouble("reconnect.random-factor"),
        bridge.getDuration("connection-timeout"),
        bridge.getDuration("keep-alive"),
        bridge.getInt("max-per-organization"));
  }
}

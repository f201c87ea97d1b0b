package io.entwine.mqtt;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the MQTT ingress from {@code entwine.mqtt}. A port of 0 binds a free port, a negative
 * port turns that listener off.
 *
 * @param tls the PEM certificate and key, when both are configured
 */
public record MqttSettings(
    String interfaceName,
    int port,
    int tlsPort,
    int webSocketPort,
    Optional<Tls> tls,
    int eventLoops,
    int maxConnections,
    int maxConnectionsPerAddress,
    int maxInFlightPerConnection,
    int maxPayloadBytes,
    int maxSubscriptionsPerConnection,
    Duration connectTimeout,
    int subscriptionBuffer,
    long maxBufferedBytesPerConnection,
    int maxInFlightDeliveries,
    Duration twinAttachRefresh,
    Duration offlineSessionExpiry) {

  public record Tls(String certFile, String keyFile) {}

  public MqttSettings {
    if (eventLoops < 1
        || maxConnectionsPerAddress < 1
        || connectTimeout.isNegative()
        || connectTimeout.isZero()
        || maxInFlightPerConnection < 1
        || maxPayloadBytes < 1
        || subscriptionBuffer < 1
        || maxBufferedBytesPerConnection < 1
        || maxInFlightDeliveries < 1
        || maxInFlightDeliveries > 65535) {
      throw new IllegalArgumentException(
          "entwine.mqtt: event-loops, max-connections-per-address, connect-timeout,"
              + " max-in-flight-per-connection, max-payload-bytes,"
              + " subscription-buffer, max-buffered-bytes-per-connection and"
              + " max-in-flight-deliveries (at most 65535) must be positive");
    }
  }

  public static MqttSettings from(Config root) {
    Config config = root.getConfig("entwine.mqtt");
    String cert = config.getString("tls.cert-file").strip();
    String key = config.getString("tls.key-file").strip();
    if (cert.isEmpty() != key.isEmpty()) {
      throw new IllegalArgumentException(
          "Set both ENTWINE_TLS_CERT and ENTWINE_TLS_KEY (entwine.mqtt.tls.cert-file and"
              + " key-file), or neither");
    }
    return new MqttSettings(
        config.getString("interface"),
        config.getInt("port"),
        config.getInt("tls-port"),
        config.getInt("websocket-port"),
        cert.isEmpty() ? Optional.empty() : Optional.of(new Tls(cert, key)),
        config.getInt("event-loops"),
        config.getInt("max-connections"),
        config.getInt("max-connections-per-address"),
        config.getInt("max-in-flight-per-connection"),
        config.getInt("max-payload-bytes"),
        config.getInt("max-subscriptions-per-connection"),
        config.getDuration("connect-timeout"),
        config.getInt("subscription-buffer"),
        config.getBytes("max-buffered-bytes-per-connection"),
        config.getInt("max-in-flight-deliveries"),
        config.getDuration("twin-attach-refresh"),
        config.getDuration("offline-session-expiry"));
  }

  /** The TLS listener is opened only when a certificate is configured. */
  public boolean tlsListenerEnabled() {
    return tls.isPresent() && tlsPort >= 0;
  }

  /**
   * The largest MQTT packet the decoder accepts: the payload limit plus room for the topic and
   * headers. A PUBLISH whose payload alone exceeds {@link #maxPayloadBytes} is refused by the
   * endpoint; a larger packet already by the decoder. Either way the connection is closed.
   */
  public int maxPacketBytes() {
    return maxPayloadBytes + 1024;
  }
}

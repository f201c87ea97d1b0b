package io.entwine.integration.mqtt;

import io.entwine.protocol.CborSerializable;
import java.util.List;

/**
 * A bridge to an external MQTT broker as the API created it. {@code sealedPassword} is the broker
 * password encrypted with the cluster key ({@code SecretBox}), null without one; it is decrypted
 * only in memory, by the node that runs the bridge.
 */
public record BridgeConfig(
    String org,
    String id,
    String url,
    String username,
    String sealedPassword,
    String clientId,
    List<Topic> topics,
    String uplinkScript,
    boolean allowCreateDevices)
    implements CborSerializable {

  public BridgeConfig {
    topics = List.copyOf(topics);
  }

  /** A subscription: an MQTT topic filter and the QoS to subscribe with (0, 1 or 2). */
  public record Topic(String filter, int qos) implements CborSerializable {}

  /** The name of the bridge in converter metadata and as {@code registeredBy} of its devices. */
  public String sourceName() {
    return "mqtt-bridge:" + id;
  }
}

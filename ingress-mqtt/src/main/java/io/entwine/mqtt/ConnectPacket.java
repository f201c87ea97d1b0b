package io.entwine.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;

/**
 * What is checked of a CONNECT packet before its credentials are: the protocol level (MQTT 3.1.1
 * and 3.1 only), the client id (IBM IoT Foundation's device and application forms, {@link
 * ClientIds}) and that a username and a password came with it. Also the packet's size on the wire,
 * which the connection's read-bytes count starts with.
 */
final class ConnectPacket {
  private ConnectPacket() {}

  /** Why a CONNECT is refused, with the CONNACK return code that says so. */
  record Refusal(MqttConnectReturnCode code, String reason) {}

  /** Why {@code endpoint}'s CONNECT, with client id {@code id}, is refused; null when it is not. */
  static Refusal refusal(MqttEndpoint endpoint, ClientIds.ClientId id) {
    int version = endpoint.protocolVersion();
    if (version != 3 && version != 4) {
      return new Refusal(
          version == 5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION
              : MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
          "only MQTT 3.1.1 and 3.1 are served, not protocol level " + version);
    }
    if (id instanceof ClientIds.Invalid invalid) {
      return new Refusal(
          MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, invalid.reason());
    }
    MqttAuth auth = endpoint.auth();
    if (auth == null || auth.getUsername() == null || auth.getPassword() == null) {
      return new Refusal(
          MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "no username or password");
    }
    return null;
  }

  /** The CONNECT packet's bytes on the wire, as its fields say (it was decoded already). */
  static long bytesOnWire(MqttEndpoint endpoint) {
    MqttWill will = endpoint.will();
    boolean hasWill = will != null && will.isWillFlag();
    MqttAuth auth = endpoint.auth();
    return WireCounter.connectPacketBytes(
        endpoint.protocolVersion(),
        endpoint.clientIdentifier(),
        hasWill ? will.getWillTopic() : null,
        hasWill ? will.getWillMessageBytes() : null,
        auth.getUsername(),
        auth.getPassword());
  }
}

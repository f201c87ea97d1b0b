package io.entwine.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;

/** An {@link Outbox}'s PUBLISH and PUBREL packets, written to the client through its endpoint. */
final class EndpointWire implements Outbox.Wire {
  private final MqttEndpoint endpoint;
  private final SocketReads socket;

  EndpointWire(MqttEndpoint endpoint, SocketReads socket) {
    this.endpoint = endpoint;
    this.socket = socket;
  }

  @Override
  public boolean isWritable() {
    return socket.channel().isWritable();
  }

  @Override
  public Future<Void> publish(String topic, byte[] payload, MqttQoS qos, int packetId) {
    return endpoint.publish(topic, Buffer.buffer(payload), qos, false, false, packetId).mapEmpty();
  }

  @Override
  public void release(int packetId) {
    endpoint.publishRelease(packetId);
  }
}

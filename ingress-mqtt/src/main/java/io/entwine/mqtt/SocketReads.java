package io.entwine.mqtt;

import io.netty.channel.Channel;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.impl.MqttEndpointImpl;
import java.lang.reflect.Field;

/**
 * Stops and restarts reading from one connection's socket, so a slow twin or journal holds the
 * client back through TCP instead of filling a queue in this node.
 *
 * <p>Vert.x MQTT 4.5 has pause/resume on its client but not on the server's {@link MqttEndpoint}.
 * The endpoint's socket is reached through its private {@code conn} field, once per connection;
 * {@link #check()} runs at start-up so that a Vert.x upgrade that changes this fails the node's
 * start, not a connection under load. Replace with {@code endpoint.pause()/resume()} when Vert.x
 * offers them.
 */
final class SocketReads {
  private static final Field CONN = connField();

  private final Channel channel;

  private SocketReads(Channel channel) {
    this.channel = channel;
  }

  static SocketReads of(MqttEndpoint endpoint) {
    try {
      NetSocketInternal socket = (NetSocketInternal) CONN.get(endpoint);
      return new SocketReads(socket.channelHandlerContext().channel());
    } catch (IllegalAccessException | ClassCastException e) {
      throw new IllegalStateException("Cannot reach the socket of a Vert.x MQTT endpoint", e);
    }
  }

  /** Fails when this Vert.x MQTT version does not have the field flow control relies on. */
  static void check() {
    if (!NetSocketInternal.class.isAssignableFrom(CONN.getType())) {
      throw new IllegalStateException(
          "Vert.x MQTT's endpoint no longer holds a NetSocketInternal; see SocketReads");
    }
  }

  /** Must run on the connection's event loop. Packets already read are still delivered. */
  void pause() {
    channel.config().setAutoRead(false);
  }

  void resume() {
    channel.config().setAutoRead(true);
  }

  boolean isPaused() {
    return !channel.config().isAutoRead();
  }

  /** The connection's Netty channel (its pipeline and writability). */
  Channel channel() {
    return channel;
  }

  private static Field connField() {
    try {
      Field field = MqttEndpointImpl.class.getDeclaredField("conn");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "Vert.x MQTT's MqttEndpointImpl has no 'conn' field any more; see SocketReads", e);
    }
  }
}

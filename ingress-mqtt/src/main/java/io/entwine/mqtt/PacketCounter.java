package io.entwine.mqtt;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;

/**
 * Counts a connection's MQTT packets by type in both directions ({@link MqttMeters}). Sits right
 * after Vert.x's MQTT decoder, where inbound packets are decoded messages and outbound ones are not
 * encoded yet, whatever the transport (TCP, TLS, WebSocket). Holds no state of its own, so one
 * instance serves every connection.
 */
@ChannelHandler.Sharable
final class PacketCounter extends ChannelDuplexHandler {
  static final String NAME = "entwine-packet-counter";
  private static final String MQTT_DECODER = "mqttDecoder";

  private final MqttMeters meters;

  PacketCounter(MqttMeters meters) {
    this.meters = meters;
  }

  /**
   * Adds the counter to {@code channel} once its CONNECT was read; counts that CONNECT. A Vert.x
   * that names its decoder differently leaves the packets uncounted rather than miscounted.
   */
  void install(Channel channel) {
    meters.received(MqttMessageType.CONNECT);
    if (channel.pipeline().get(MQTT_DECODER) != null && channel.pipeline().get(NAME) == null) {
      channel.pipeline().addAfter(MQTT_DECODER, NAME, this);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof MqttMessage message && message.fixedHeader() != null) {
      meters.received(message.fixedHeader().messageType());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof MqttMessage message && message.fixedHeader() != null) {
      meters.sent(message.fixedHeader().messageType());
    }
    ctx.write(msg, promise);
  }
}

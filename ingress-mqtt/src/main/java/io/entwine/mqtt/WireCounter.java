package io.entwine.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;

/**
 * Counts one connection's MQTT bytes in both directions (for the status message's {@code
 * ReadBytes}/{@code WriteBytes}) and tells the connection when its socket takes writes again. Sits
 * right before Vert.x's MQTT codec, after TLS and WebSocket framing, so it counts MQTT packets
 * whatever the transport. Runs on the connection's event loop.
 */
final class WireCounter extends ChannelDuplexHandler {
  static final String NAME = "entwine-wire-counter";
  private static final String MQTT_ENCODER = "mqttEncoder";

  private final Runnable onWritable;
  private long readBytes;
  private long writtenBytes;

  private WireCounter(Runnable onWritable) {
    this.onWritable = onWritable;
  }

  /**
   * Adds a counter to {@code channel}; {@code alreadyRead} counts the CONNECT packet, which was
   * decoded before the counter could be added.
   */
  static WireCounter install(Channel channel, long alreadyRead, Runnable onWritable) {
    WireCounter counter = new WireCounter(onWritable);
    counter.readBytes = alreadyRead;
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(MQTT_ENCODER) != null) {
      pipeline.addBefore(MQTT_ENCODER, NAME, counter);
    } else {
      // a Vert.x that names its codec differently: count wire bytes (TLS and WebSocket included)
      pipeline.addFirst(NAME, counter);
    }
    return counter;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf bytes) {
      readBytes += bytes.readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof ByteBuf bytes) {
      writtenBytes += bytes.readableBytes();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      onWritable.run();
    }
    ctx.fireChannelWritabilityChanged();
  }

  long readBytes() {
    return readBytes;
  }

  long writtenBytes() {
    return writtenBytes;
  }

  /** The size of the CONNECT packet a client sent with these fields (MQTT 3.1.1 section 3.1). */
  static long connectPacketBytes(
      int protocolVersion,
      String clientId,
      String willTopic,
      byte[] willPayload,
      String username,
      String password) {
    long remaining = protocolVersion == 3 ? 12 : 10; // "MQIsdp" or "MQTT", level, flags, keep-alive
    remaining += utf8(clientId);
    if (willTopic != null) {
      remaining += utf8(willTopic) + 2 + (willPayload == null ? 0 : willPayload.length);
    }
    if (username != null) {
      remaining += utf8(username);
    }
    if (password != null) {
      remaining += utf8(password);
    }
    int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
    return 1 + lengthBytes + remaining;
  }

  private static long utf8(String value) {
    return 2 + (value == null ? 0 : value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }
}

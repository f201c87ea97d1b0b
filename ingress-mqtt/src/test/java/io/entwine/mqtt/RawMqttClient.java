package io.entwine.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A blocking MQTT client for protocol tests: every packet is built by the test (Netty's codec) and
 * every answer read back, so ids, duplicates and ordering are under the test's control.
 */
final class RawMqttClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
  private final EmbeddedChannel decoder = new EmbeddedChannel(new MqttDecoder(1 << 20));
  private final ArrayDeque<MqttMessage> received = new ArrayDeque<>();
  private long bytesSent;
  private long bytesReceived;

  private RawMqttClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static RawMqttClient open(int port) {
    try {
      return new RawMqttClient(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends CONNECT and returns the CONNACK code (null when the server closed without one). */
  MqttConnectReturnCode connect(String clientId, String username, String password) {
    return connect(clientId, username, password, builder -> {});
  }

  MqttConnectReturnCode connect(
      String clientId,
      String username,
      String password,
      Consumer<MqttMessageBuilders.ConnectBuilder> options) {
    MqttConnAckMessage connAck = connectAck(clientId, username, password, options);
    return connAck == null ? null : connAck.variableHeader().connectReturnCode();
  }

  /** Sends CONNECT and returns the CONNACK (null when the server closed without one). */
  MqttConnAckMessage connectAck(
      String clientId,
      String username,
      String password,
      Consumer<MqttMessageBuilders.ConnectBuilder> options) {
    MqttMessageBuilders.ConnectBuilder connect =
        MqttMessageBuilders.connect()
            .protocolVersion(MqttVersion.MQTT_3_1_1)
            .clientId(clientId)
            .cleanSession(true)
            .keepAlive(60);
    if (username != null) {
      connect.hasUser(true).username(username);
    }
    if (password != null) {
      connect.hasPassword(true).password(password.getBytes(StandardCharsets.UTF_8));
    }
    options.accept(connect);
    send(connect.build());
    MqttMessage answer = receive(Duration.ofSeconds(10));
    return answer instanceof MqttConnAckMessage connAck ? connAck : null;
  }

  void publish(String topic, MqttQoS qos, int messageId, byte[] payload) {
    send(
        MqttMessageBuilders.publish()
            .topicName(topic)
            .qos(qos)
            .messageId(messageId)
            .retained(false)
            .payload(Unpooled.wrappedBuffer(payload))
            .build());
  }

  void publish(String topic, MqttQoS qos, int messageId, String payload) {
    publish(topic, qos, messageId, payload.getBytes(StandardCharsets.UTF_8));
  }

  void pubrel(int messageId) {
    send(
        MqttMessageFactory.newMessage(
            new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
            MqttMessageIdVariableHeader.from(messageId),
            null));
  }

  void subscribe(int messageId, String... filters) {
    subscribe(messageId, MqttQoS.AT_LEAST_ONCE, filters);
  }

  void subscribe(int messageId, MqttQoS qos, String... filters) {
    MqttMessageBuilders.SubscribeBuilder subscribe =
        MqttMessageBuilders.subscribe().messageId(messageId);
    for (String filter : filters) {
      subscribe.addSubscription(qos, filter);
    }
    send(subscribe.build());
  }

  void unsubscribe(int messageId, String... filters) {
    MqttMessageBuilders.UnsubscribeBuilder unsubscribe =
        MqttMessageBuilders.unsubscribe().messageId(messageId);
    for (String filter : filters) {
      unsubscribe.addTopicFilter(filter);
    }
    send(unsubscribe.build());
  }

  void puback(int messageId) {
    acknowledge(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, messageId);
  }

  void pubrec(int messageId) {
    acknowledge(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, messageId);
  }

  void pubcomp(int messageId) {
    acknowledge(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, messageId);
  }

  private void acknowledge(MqttMessageType type, MqttQoS qos, int messageId) {
    send(
        MqttMessageFactory.newMessage(
            new MqttFixedHeader(type, false, qos, false, 0),
            MqttMessageIdVariableHeader.from(messageId),
            null));
  }

  void disconnect() {
    send(MqttMessage.DISCONNECT);
  }

  void send(MqttMessage message) {
    sendRaw(encode(message));
  }

  /** The packet's bytes, for tests that send several in one write. */
  byte[] encode(MqttMessage message) {
    encoder.writeOutbound(message);
    ByteBuf encoded = encoder.readOutbound();
    byte[] bytes = new byte[encoded.readableBytes()];
    encoded.readBytes(bytes);
    encoded.release();
    return bytes;
  }

  void sendRaw(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      bytesSent += bytes.length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next packet from the server, or null when none came in time or the server closed. */
  MqttMessage receive(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buffer = new byte[8192];
    while (received.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      try {
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int n = in.read(buffer);
        if (n < 0) {
          return null;
        }
        bytesReceived += n;
        decoder.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(buffer, n)));
        for (Object message; (message = decoder.readInbound()) != null; ) {
          received.add((MqttMessage) message);
        }
      } catch (SocketTimeoutException e) {
        return null;
      } catch (IOException e) {
        return null;
      }
    }
    return received.poll();
  }

  /** The bytes of the next read, as sent (for packets this client's codec cannot decode). */
  byte[] receiveRaw(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      byte[] buffer = new byte[8192];
      int n = in.read(buffer);
      return n < 0 ? new byte[0] : Arrays.copyOf(buffer, n);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** True when the server closes the connection within {@code timeout} (packets are skipped). */
  boolean closedWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buffer = new byte[8192];
    try {
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (in.read(buffer) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  /** Bytes this client wrote to the socket. */
  long bytesSent() {
    return bytesSent;
  }

  /** Bytes this client read from the socket through {@link #receive}. */
  long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    encoder.finishAndReleaseAll();
    decoder.finishAndReleaseAll();
  }
}

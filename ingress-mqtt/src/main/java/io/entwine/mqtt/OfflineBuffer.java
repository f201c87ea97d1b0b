package io.entwine.mqtt;

import io.entwine.live.LiveMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an application's persistent session keeps while no connection holds it (ADR 0020): the QoS 1
 * and 2 messages that match its subscriptions, at most {@code capacity} per subscription with the
 * oldest dropped and counted (IBM IoT Foundation MQTT documentation, subscription buffers and clean
 * session), and at most {@code maxBytes} of payload in all. QoS 0 messages are not kept, as
 * Mosquitto does by default (MQTT 3.1.1 section 3.1.2.4 leaves it open). Confined to the session
 * entity that owns it.
 */
final class OfflineBuffer {

  /** The bounds of one offline session, and how long it is kept waiting for its client. */
  record Limits(int capacityPerSubscription, long maxBytes, Duration expiry) {
    static Limits of(MqttSettings settings) {
      return new Limits(
          settings.subscriptionBuffer(),
          settings.maxBufferedBytesPerConnection(),
          settings.offlineSessionExpiry());
    }
  }

  private final List<MqttSession.Subscription> subscriptions = new ArrayList<>();
  private final Map<String, ArrayDeque<ClusterLink.BufferedMessage>> buffers =
      new LinkedHashMap<>();
  private final ArrayDeque<ClusterLink.BufferedMessage> arrival = new ArrayDeque<>();
  private final Limits limits;
  private long bytes;
  private long dropped;

  OfflineBuffer(List<ClusterLink.StoredSubscription> stored, Limits limits) {
    this.limits = limits;
    for (ClusterLink.StoredSubscription s : stored) {
      Topics.Filter parsed = Topics.applicationSubscription(s.filter());
      if (!(parsed instanceof Topics.Invalid)) {
        subscriptions.add(
            new MqttSession.Subscription(s.filter(), parsed, MqttQoS.valueOf(s.qos())));
      }
    }
  }

  /** Keeps {@code message} when a subscription selects it at QoS 1 or 2; false otherwise. */
  boolean offer(LiveMessage message) {
    MqttSession.Subscription through = MqttSession.deliveringLive(subscriptions, message);
    if (through == null) {
      return false;
    }
    MqttQoS qos = Topics.deliveryQos(message, through.qos());
    if (qos == MqttQoS.AT_MOST_ONCE) {
      return false;
    }
    keep(
        new ClusterLink.BufferedMessage(
            through.filter(), Topics.topicOf(message), Topics.payloadOf(message), qos.value()));
    return true;
  }

  /**
   * Keeps messages a connection still owed its client when it closed (buffered or unacknowledged),
   * ahead of anything that arrives later.
   */
  void keepAll(List<ClusterLink.BufferedMessage> owed) {
    owed.forEach(this::keep);
  }

  private void keep(ClusterLink.BufferedMessage message) {
    ArrayDeque<ClusterLink.BufferedMessage> buffer =
        buffers.computeIfAbsent(message.filter(), f -> new ArrayDeque<>());
    if (buffer.size() >= limits.capacityPerSubscription()) {
      forget(buffer.pollFirst());
    }
    buffer.addLast(message);
    arrival.addLast(message);
    bytes += message.payload().length;
    while (bytes > limits.maxBytes() && arrival.size() > 1) {
      ClusterLink.BufferedMessage oldest = arrival.peekFirst();
      forget(oldest);
      buffers.get(oldest.filter()).remove(oldest);
    }
  }

  private void forget(ClusterLink.BufferedMessage message) {
    arrival.remove(message);
    bytes -= message.payload().length;
    dropped++;
  }

  /**
   * Everything kept, oldest first, in chunks of at most {@code chunkBytes} of payload (one message
   * more when a single one is larger), so that no remote message outgrows the transport's frame.
   */
  List<List<ClusterLink.BufferedMessage>> chunks(long chunkBytes) {
    List<List<ClusterLink.BufferedMessage>> chunks = new ArrayList<>();
    List<ClusterLink.BufferedMessage> chunk = new ArrayList<>();
    long size = 0;
    for (ClusterLink.BufferedMessage message : arrival) {
      if (!chunk.isEmpty() && size + message.payload().length > chunkBytes) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
        size = 0;
      }
      chunk.add(message);
      size += message.payload().length;
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }

  int size() {
    return arrival.size();
  }

  /** Messages dropped from full buffers since the client went away. */
  long dropped() {
    return dropped;
  }
}

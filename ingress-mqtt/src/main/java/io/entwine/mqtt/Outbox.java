package io.entwine.mqtt;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one connection sends to its client: a buffer per subscription (IBM IoT Foundation MQTT
 * documentation, subscription buffers and clean session: at most {@code subscription-buffer}
 * messages, the oldest dropped and counted when full), drained in arrival order while the socket
 * takes writes and fewer than {@code max-in-flight-deliveries} QoS 1/2 messages wait for their
 * acknowledgement. Confined to the connection's event loop.
 *
 * <p>QoS 1 is done at PUBACK. QoS 2 is delivered at PUBREC (the client owns the message from then
 * on; a command is confirmed to its twin there), answered with PUBREL, and its slot is free at
 * PUBCOMP. Nothing is resent within a connection (MQTT 3.1.1 resends only on reconnect); what was
 * not acknowledged when the connection ends is gone — except commands, which stay queued on their
 * twin until confirmed.
 */
final class Outbox {

  /** The socket side, implemented over the Vert.x endpoint. */
  interface Wire {
    boolean isWritable();

    /** Writes one PUBLISH; the future completes once it is written. */
    Future<Void> publish(String topic, byte[] payload, MqttQoS qos, int packetId);

    /** Answers a client's PUBREC with PUBREL. */
    void release(int packetId);
  }

  /**
   * One message for the client; {@code onDelivered} (nullable) runs once the client has it: after
   * the write for QoS 0, at PUBACK for QoS 1, at PUBREC for QoS 2.
   */
  record Delivery(String topic, byte[] payload, MqttQoS qos, Runnable onDelivered) {}

  private record Entry(long seq, Delivery delivery) {}

  private static final class Buffer {
    final String filter;
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    long dropped;

    Buffer(String filter) {
      this.filter = filter;
    }
  }

  /** A QoS 1 or 2 message sent through subscription {@code filter}, awaiting PUBACK or PUBREC. */
  private record Sent(String filter, Delivery delivery) {}

  private final Wire wire;
  private final int capacity;
  private final long maxBytes;
  private final int maxInFlight;

  private final Map<String, Buffer> buffers = new LinkedHashMap<>();
  private final Map<Integer, Sent> awaitingAck = new LinkedHashMap<>();
  private final PacketIds awaitingComplete = new PacketIds();
  private long nextSeq;
  private long bufferedBytes;
  private int nextPacketId;
  private long published;
  private long dropped;
  private boolean closed;

  Outbox(Wire wire, int capacityPerSubscription, long maxBufferedBytes, int maxInFlight) {
    this.wire = wire;
    this.capacity = capacityPerSubscription;
    this.maxBytes = maxBufferedBytes;
    this.maxInFlight = maxInFlight;
  }

  /** Queues {@code delivery} in the buffer of subscription {@code filter} and sends what it can. */
  void offer(String filter, Delivery delivery) {
    if (closed) {
      return;
    }
    Buffer buffer = buffers.computeIfAbsent(filter, Buffer::new);
    if (buffer.entries.size() >= capacity) {
      drop(buffer);
    }
    buffer.entries.addLast(new Entry(nextSeq++, delivery));
    bufferedBytes += delivery.payload().length;
    while (bufferedBytes > maxBytes && buffered() > 1) {
      drop(oldest());
    }
    drain();
  }

  /** Forgets subscription {@code filter}'s buffer (UNSUBSCRIBE); what was sent stays in flight. */
  void remove(String filter) {
    Buffer buffer = buffers.remove(filter);
    if (buffer != null) {
      buffer.entries.forEach(e -> bufferedBytes -= e.delivery().payload().length);
    }
  }

  /** Sends buffered messages, oldest first, while the socket and the in-flight window allow. */
  void drain() {
    while (!closed && wire.isWritable()) {
      Buffer next = oldest();
      if (next == null) {
        return;
      }
      Delivery head = next.entries.peekFirst().delivery();
      if (head.qos() != MqttQoS.AT_MOST_ONCE && inFlight() >= maxInFlight) {
        return;
      }
      next.entries.pollFirst();
      bufferedBytes -= head.payload().length;
      send(next.filter, head);
    }
  }

  private void send(String filter, Delivery delivery) {
    int packetId = delivery.qos() == MqttQoS.AT_MOST_ONCE ? 0 : nextPacketId();
    if (packetId != 0) {
      awaitingAck.put(packetId, new Sent(filter, delivery));
    }
    published++;
    Future<Void> written;
    try {
      written = wire.publish(delivery.topic(), delivery.payload(), delivery.qos(), packetId);
    } catch (IllegalStateException closedAlready) {
      closed = true;
      return;
    }
    if (packetId == 0 && delivery.onDelivered() != null) {
      written.onSuccess(v -> delivery.onDelivered().run());
    }
  }

  /** PUBACK: a QoS 1 message is delivered. */
  void onPubAck(int packetId) {
    Sent sent = awaitingAck.remove(packetId);
    if (sent != null && sent.delivery().onDelivered() != null) {
      sent.delivery().onDelivered().run();
    }
    drain();
  }

  /** PUBREC: a QoS 2 message is delivered; PUBREL follows, the slot stays taken until PUBCOMP. */
  void onPubRec(int packetId) {
    Sent sent = awaitingAck.remove(packetId);
    if (sent != null) {
      awaitingComplete.add(packetId);
      if (sent.delivery().onDelivered() != null) {
        sent.delivery().onDelivered().run();
      }
    }
    if (!closed) {
      wire.release(packetId);
    }
  }

  /** PUBCOMP: a QoS 2 exchange is over. */
  void onPubComp(int packetId) {
    awaitingComplete.remove(packetId);
    drain();
  }

  /** Nothing more is sent (the connection closed). */
  void close() {
    closed = true;
  }

  /**
   * The QoS 1 and 2 live messages the client does not have yet, in the order they would have gone
   * out: those sent but not acknowledged, then the buffered ones. Commands are left out: they stay
   * queued on their twins until confirmed.
   */
  List<ClusterLink.BufferedMessage> owed() {
    List<ClusterLink.BufferedMessage> owed = new ArrayList<>();
    awaitingAck.values().forEach(sent -> addOwed(owed, sent.filter(), sent.delivery()));
    List<Entry> buffered = new ArrayList<>();
    Map<Entry, String> filters = new HashMap<>();
    for (Buffer buffer : buffers.values()) {
      for (Entry entry : buffer.entries) {
        buffered.add(entry);
        filters.put(entry, buffer.filter);
      }
    }
    buffered.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    buffered.forEach(entry -> addOwed(owed, filters.get(entry), entry.delivery()));
    return owed;
  }

  private static void addOwed(
      List<ClusterLink.BufferedMessage> owed, String filter, Delivery delivery) {
    if (delivery.qos() != MqttQoS.AT_MOST_ONCE && delivery.onDelivered() == null) {
      owed.add(
          new ClusterLink.BufferedMessage(
              filter, delivery.topic(), delivery.payload(), delivery.qos().value()));
    }
  }

  /** PUBLISH packets sent to the client so far. */
  long published() {
    return published;
  }

  /** Messages dropped from full buffers so far (all subscriptions). */
  long dropped() {
    return dropped;
  }

  /** Messages dropped from the buffer of subscription {@code filter} (0 when unknown). */
  long dropped(String filter) {
    Buffer buffer = buffers.get(filter);
    return buffer == null ? 0 : buffer.dropped;
  }

  int buffered() {
    int n = 0;
    for (Buffer buffer : buffers.values()) {
      n += buffer.entries.size();
    }
    return n;
  }

  int inFlight() {
    return awaitingAck.size() + awaitingComplete.size();
  }

  /** Filters whose buffer dropped messages, with how many (for the close log line). */
  List<String> droppingSubscriptions() {
    List<String> dropping = new ArrayList<>();
    buffers.forEach(
        (filter, buffer) -> {
          if (buffer.dropped > 0) {
            dropping.add(filter + " (" + buffer.dropped + ")");
          }
        });
    return dropping;
  }

  private void drop(Buffer buffer) {
    Entry oldest = buffer.entries.pollFirst();
    if (oldest != null) {
      bufferedBytes -= oldest.delivery().payload().length;
      buffer.dropped++;
      dropped++;
    }
  }

  /** The buffer whose first message arrived first, or null when all are empty. */
  private Buffer oldest() {
    Buffer oldest = null;
    long seq = Long.MAX_VALUE;
    for (Buffer buffer : buffers.values()) {
      Entry head = buffer.entries.peekFirst();
      if (head != null && head.seq() < seq) {
        seq = head.seq();
        oldest = buffer;
      }
    }
    return oldest;
  }

  private int nextPacketId() {
    do {
      nextPacketId = nextPacketId % 65535 + 1;
    } while (awaitingAck.containsKey(nextPacketId) || awaitingComplete.contains(nextPacketId));
    return nextPacketId;
  }
}

package io.entwine.mqtt;

import static io.entwine.mqtt.TwinCalls.call;
import static io.entwine.mqtt.TwinCalls.describe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.ingress.DeviceMessage;
import io.entwine.protocol.Reply;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttEndpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The publishes one connection has read and not yet acknowledged: the inbound counterpart of {@link
 * Outbox}. Confined to the connection's event loop.
 *
 * <p>Each publish is handed to the twins and acknowledged (PUBACK for QoS 1, PUBREC for QoS 2) only
 * once the twin persisted it, in the order the packets arrived, whatever order the twins answer in.
 * At most {@code max-in-flight-per-connection} publishes are open; at that many the socket is not
 * read until half of them are acknowledged, so a slow journal holds the client back through TCP. A
 * QoS 2 packet id stays known from its PUBREC to the client's PUBREL, so a resend is answered
 * without recording it twice (MQTT 3.1.1 section 4.3.3).
 */
final class InboundWindow {

  /** QoS 2 packet ids acknowledged with PUBREC whose PUBREL has not arrived yet, at most. */
  static final int MAX_UNRELEASED_QOS2 = 1024;

  private static final class InFlight {
    final int messageId;
    final MqttQoS qos;
    final Supplier<CompletionStage<Reply>> action;

    /** The device's own event (batched with the ones behind it), or null. */
    final DeviceMessage ownEvent;

    /** The device's own reported patch (batched with the ones behind it), or null. */
    final ObjectNode ownReportedPatch;

    boolean recorded;

    InFlight(int messageId, MqttQoS qos, PublishIntake.Intake intake) {
      this.messageId = messageId;
      this.qos = qos;
      this.action = intake.action();
      this.ownEvent = intake.ownEvent();
      this.ownReportedPatch = intake.ownReportedPatch();
    }

    /** Whether this goes to the device's own twin, in a write that others of its kind may join. */
    boolean batchable() {
      return ownEvent != null || ownReportedPatch != null;
    }

    boolean sameKind(InFlight other) {
      return (ownEvent != null) == (other.ownEvent != null);
    }
  }

  private final MqttEndpoint endpoint;
  private final SocketReads reads;
  private final ConnectionControl connection;
  private final int maxInFlight;
  private final Function<List<DeviceMessage>, CompletionStage<Reply>> recordOwnEvents;
  private final Function<List<ObjectNode>, CompletionStage<Reply>> patchOwnReported;

  // Both deques start at two slots rather than sixteen: an idle connection keeps them empty, a
  // busy one grows them to its window once (docs/adr/0075).

  /** Accepted publishes in arrival order, until acknowledged. */
  private final ArrayDeque<InFlight> window = new ArrayDeque<>(1);

  /** Publishes in the window not yet handed to the twins. */
  private final ArrayDeque<InFlight> waiting = new ArrayDeque<>(1);

  private final PacketIds qos2InWindow = new PacketIds();
  private final PacketIds qos2Unreleased = new PacketIds();
  private int asked;
  private boolean ownTwinWriteOutstanding;

  /**
   * {@code recordOwnEvents} records several of the device's own events in one write (all persisted
   * when it answers Done); {@code patchOwnReported} likewise applies several of its reported
   * patches in order (Done when all are persisted, refused ones answered on the rejection topic).
   */
  InboundWindow(
      MqttEndpoint endpoint,
      SocketReads reads,
      ConnectionControl connection,
      int maxInFlight,
      Function<List<DeviceMessage>, CompletionStage<Reply>> recordOwnEvents,
      Function<List<ObjectNode>, CompletionStage<Reply>> patchOwnReported) {
    this.endpoint = endpoint;
    this.reads = reads;
    this.connection = connection;
    this.maxInFlight = maxInFlight;
    this.recordOwnEvents = recordOwnEvents;
    this.patchOwnReported = patchOwnReported;
  }

  /**
   * True when the publish is a resend of a QoS 2 message this window knows, which is answered here:
   * PUBREC again once recorded (ours was lost), or later with the first copy's.
   */
  boolean answersResend(int messageId, MqttQoS qos) {
    if (qos != MqttQoS.EXACTLY_ONCE) {
      return false;
    }
    if (qos2Unreleased.contains(messageId)) {
      endpoint.publishReceived(messageId);
      return true;
    }
    return qos2InWindow.contains(messageId);
  }

  /** A publish the client may make, as the call that records or queues it. */
  void add(int messageId, MqttQoS qos, PublishIntake.Intake intake) {
    InFlight entry = new InFlight(messageId, qos, intake);
    window.addLast(entry);
    waiting.addLast(entry);
    if (qos == MqttQoS.EXACTLY_ONCE) {
      qos2InWindow.add(messageId);
    }
    askTwins();
    if (window.size() >= maxInFlight && !reads.isPaused()) {
      reads.pause();
    }
  }

  /** PUBREL: the client owns the QoS 2 message's outcome now; PUBCOMP. */
  void onRelease(int messageId) {
    qos2Unreleased.remove(messageId);
    endpoint.publishComplete(messageId);
  }

  /** The connection is gone: what was not acknowledged the client resends when it returns. */
  void clear() {
    window.clear();
    waiting.clear();
  }

  /**
   * Hands waiting publishes to the twins. A device's own events and reported patches all go to its
   * one twin, which persists one write at a time anyway: while one write is outstanding the next
   * wait, and then consecutive ones of a kind go together as one write, in order (DESIGN.md: ten
   * events per write more than double the rate).
   */
  private void askTwins() {
    while (asked < maxInFlight && !waiting.isEmpty()) {
      InFlight first = waiting.peekFirst();
      if (first.batchable()) {
        if (ownTwinWriteOutstanding) {
          return;
        }
        List<InFlight> batch = new ArrayList<>();
        while (!waiting.isEmpty()
            && waiting.peekFirst().batchable()
            && waiting.peekFirst().sameKind(first)
            && batch.size() < maxInFlight) {
          batch.add(waiting.pollFirst());
        }
        asked++;
        ownTwinWriteOutstanding = true;
        call(() -> writeToOwnTwin(batch)).whenComplete(whenAnswered(batch));
      } else {
        InFlight entry = waiting.pollFirst();
        asked++;
        call(entry.action).whenComplete(whenAnswered(List.of(entry)));
      }
    }
  }

  private CompletionStage<Reply> writeToOwnTwin(List<InFlight> batch) {
    if (batch.size() == 1) {
      return batch.get(0).action.get();
    }
    if (batch.get(0).ownEvent != null) {
      return recordOwnEvents.apply(batch.stream().map(entry -> entry.ownEvent).toList());
    }
    return patchOwnReported.apply(batch.stream().map(entry -> entry.ownReportedPatch).toList());
  }

  private BiConsumer<Reply, Throwable> whenAnswered(List<InFlight> entries) {
    return (reply, failure) -> connection.onEventLoop(() -> onRecorded(entries, reply, failure));
  }

  private void onRecorded(List<InFlight> entries, Reply reply, Throwable failure) {
    asked--;
    if (entries.get(0).batchable()) {
      ownTwinWriteOutstanding = false;
    }
    if (connection.isClosing()) {
      return;
    }
    if (failure != null) {
      connection.disconnect("the message was not recorded: " + describe(failure));
      return;
    }
    if (!TwinCalls.isAccepted(reply)) {
      connection.disconnect("the message was refused: " + describe(reply));
      return;
    }
    entries.forEach(entry -> entry.recorded = true);
    while (!connection.isClosing() && !window.isEmpty() && window.peekFirst().recorded) {
      acknowledge(window.pollFirst());
    }
    if (connection.isClosing()) {
      return;
    }
    askTwins();
    if (reads.isPaused() && window.size() <= maxInFlight / 2) {
      reads.resume();
    }
  }

  private void acknowledge(InFlight entry) {
    if (!endpoint.isConnected()) {
      // The client sent DISCONNECT or its socket closed before the close handler ran: Vert.x
      // refuses writes then. An unacknowledged QoS 1/2 publish is resent by a client that returns.
      return;
    }
    if (entry.qos == MqttQoS.AT_LEAST_ONCE) {
      endpoint.publishAcknowledge(entry.messageId);
    } else if (entry.qos == MqttQoS.EXACTLY_ONCE) {
      qos2InWindow.remove(entry.messageId);
      if (qos2Unreleased.size() >= MAX_UNRELEASED_QOS2) {
        connection.disconnect(MAX_UNRELEASED_QOS2 + " QoS 2 messages were never released (PUBREL)");
        return;
      }
      qos2Unreleased.add(entry.messageId);
      endpoint.publishReceived(entry.messageId);
    }
  }
}

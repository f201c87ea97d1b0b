package io.entwine.mqtt;

import io.entwine.ingress.Timestamps;
import io.entwine.live.LiveMessage;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * What one connection's {@code Connect} and {@code Disconnect} status messages say ({@link
 * ConnectionStatus}): who connected, from where and how; why the connection ended; its traffic.
 * Confined to the connection's event loop.
 */
final class ConnectionReport {
  private final String clientId;
  private final String peerHost;
  private final int localPort;
  private final String listener;
  private final boolean tls;
  private final BooleanSupplier nodeStopping;

  private ConnectionStatus.Connection connection;

  /** Why the connection ended, once known: the first reason given wins, a DISCONNECT any. */
  private String reason;

  private long connectBytes;
  private long publishesRead;
  private WireCounter counter;

  ConnectionReport(
      String clientId,
      String peerHost,
      int localPort,
      String listener,
      boolean tls,
      BooleanSupplier nodeStopping) {
    this.clientId = clientId;
    this.peerHost = peerHost;
    this.localPort = localPort;
    this.listener = listener;
    this.tls = tls;
    this.nodeStopping = nodeStopping;
  }

  /** The CONNECT packet was read: {@code bytes} on the wire. */
  void connectRead(long bytes) {
    connectBytes = bytes;
  }

  /** The client authenticated as {@code username} at {@code connectedAt}. */
  void authenticated(int protocolVersion, String username, Instant connectedAt) {
    connection =
        new ConnectionStatus.Connection(
            clientId,
            peerHost,
            localPort,
            ConnectionStatus.protocol(protocolVersion, listener, tls),
            username,
            connectedAt);
  }

  long connectBytes() {
    return connectBytes;
  }

  /**
   * From CONNACK on, the socket's bytes are counted by {@code wire}, from the CONNECT packet on.
   */
  void countedBy(WireCounter wire) {
    counter = wire;
  }

  void publishRead() {
    publishesRead++;
  }

  /** The client sent DISCONNECT: a normal end, whatever happens after it. */
  void disconnectReceived() {
    reason = ConnectionStatus.REASON_NORMAL;
  }

  void takenOver() {
    if (reason == null) {
      reason = ConnectionStatus.REASON_TAKEN_OVER;
    }
  }

  void closedByServer(String why) {
    if (reason == null) {
      reason = ConnectionStatus.REASON_CLOSED_BY_SERVER + why;
    }
  }

  /** Ended by the client's DISCONNECT (no will then). */
  boolean endedNormally() {
    return ConnectionStatus.REASON_NORMAL.equals(reason);
  }

  String closeReason() {
    if (reason != null) {
      return reason;
    }
    return nodeStopping.getAsBoolean()
        ? ConnectionStatus.REASON_SHUTDOWN
        : ConnectionStatus.REASON_LOST;
  }

  LiveMessage connected(MqttSession.Principal principal) {
    return ConnectionStatus.connected(principal, connection, Timestamps.now());
  }

  /**
   * {@code outbox}: what was delivered and dropped (null when the connection was never accepted).
   */
  LiveMessage disconnected(MqttSession.Principal principal, Outbox outbox) {
    ConnectionStatus.Traffic traffic =
        new ConnectionStatus.Traffic(
            counter == null ? connectBytes : counter.readBytes(),
            publishesRead,
            counter == null ? 0 : counter.writtenBytes(),
            outbox == null ? 0 : outbox.published(),
            outbox == null ? 0 : outbox.dropped());
    return ConnectionStatus.disconnected(
        principal, connection, Timestamps.now(), closeReason(), traffic);
  }
}

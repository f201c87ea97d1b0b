package io.entwine.connections;

import java.time.Instant;

/**
 * What the node recorded of one MQTT client id: when its last connection started (and over which
 * protocol, IBM's {@code mqtt4-tcp}…), when a connection last ended and why, and which connection
 * that was ({@code disconnectOf}, its start).
 */
public record ClientConnectionState(
    String clientId,
    Instant lastConnect,
    String protocol,
    Instant lastDisconnect,
    Instant disconnectOf,
    String lastReason) {

  /** Connected unless the last connection that ended is the last one that started (or later). */
  public boolean connected() {
    return lastConnect != null && (disconnectOf == null || lastConnect.isAfter(disconnectOf));
  }

  /** IBM's client type of the client id: {@code device}, {@code gateway} or {@code application}. */
  public String clientType() {
    return switch (clientId.charAt(0)) {
      case 'd' -> "device";
      case 'g' -> "gateway";
      default -> "application";
    };
  }
}

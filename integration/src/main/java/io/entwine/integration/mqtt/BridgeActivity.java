package io.entwine.integration.mqtt;

import java.time.Instant;

/**
 * What a running bridge has done since it started on this node, updated in place by its entity (one
 * actor, so one thread at a time) from its stream's reports, and copied into a {@link BridgeStatus}
 * when asked. Mutable so that a report changes only what it concerns, instead of copying the whole
 * status record per message.
 */
final class BridgeActivity {
  private boolean connected;
  private Instant connectedSince;
  private long connects;
  private long messages;
  private long recorded;
  private long failed;
  private BridgeStatus.LastError lastError;
  private Instant lastMessageAt;

  void record(BridgeStream.Report report) {
    if (report instanceof BridgeStream.Connected connectedAt) {
      connected = true;
      connectedSince = connectedAt.at();
      connects++;
    } else if (report instanceof BridgeStream.Disconnected disconnected) {
      disconnected(disconnected.at(), disconnected.reason());
    } else if (report instanceof BridgeStream.Recorded message) {
      messages++;
      recorded++;
      lastMessageAt = message.arrived();
    } else {
      BridgeStream.Failed message = (BridgeStream.Failed) report;
      messages++;
      failed++;
      lastError = new BridgeStatus.LastError(message.arrived(), message.reason());
      lastMessageAt = message.arrived();
    }
  }

  /** Not connected (any more), for {@code reason}: the last error until the next one. */
  void disconnected(Instant at, String reason) {
    connected = false;
    connectedSince = null;
    lastError = new BridgeStatus.LastError(at, reason);
  }

  BridgeStatus status() {
    return new BridgeStatus(
        connected, connectedSince, connects, messages, recorded, failed, lastError, lastMessageAt);
  }
}

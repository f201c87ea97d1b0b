package io.entwine.integration.mqtt;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * What a running bridge reports: whether it is connected to the broker (and since when), how many
 * messages arrived, were recorded on twins or failed (converter error, refused device), the last
 * error and when the last message arrived. Kept in memory by the node running the bridge: counters
 * start again at zero when the bridge moves to another node.
 */
public record BridgeStatus(
    boolean connected,
    Instant connectedSince,
    long connects,
    long messages,
    long recorded,
    long failed,
    LastError lastError,
    Instant lastMessageAt)
    implements CborSerializable {

  public static final BridgeStatus STARTING = new BridgeStatus(false, null, 0, 0, 0, 0, null, null);

  public record LastError(Instant at, String message) implements CborSerializable {}

  BridgeStatus connectedAt(Instant at) {
    return new BridgeStatus(
        true, at, connects + 1, messages, recorded, failed, lastError, lastMessageAt);
  }

  BridgeStatus disconnected(Instant at, String reason) {
    return new BridgeStatus(
        false,
        null,
        connects,
        messages,
        recorded,
        failed,
        new LastError(at, reason),
        lastMessageAt);
  }

  BridgeStatus messageRecorded(Instant arrived) {
    return new BridgeStatus(
        connected,
        connectedSince,
        connects,
        messages + 1,
        recorded + 1,
        failed,
        lastError,
        arrived);
  }

  BridgeStatus messageFailed(Instant arrived, String reason) {
    return new BridgeStatus(
        connected,
        connectedSince,
        connects,
        messages + 1,
        recorded,
        failed + 1,
        new LastError(arrived, reason),
        arrived);
  }
}

package io.entwine.integration.mqtt;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;

/**
 * What a running bridge reports: whether it is connected to the broker (and since when), how many
 * messages arrived, were recorded on twins or failed (converter error, refused device), the last
 * error and when the last message arrived: a copy, made on read, of the {@link BridgeActivity} the
 * node running the bridge keeps in memory (counters start again at zero when the bridge moves).
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

  public record LastError(Instant at, String message) implements CborSerializable {}
}

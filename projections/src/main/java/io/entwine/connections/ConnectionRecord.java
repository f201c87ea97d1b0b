package io.entwine.connections;

import io.entwine.identity.DeviceKey;
import java.time.Instant;

/**
 * One MQTT connection's start or end, as the edge's status document reported it: what {@link
 * ConnectionStates} records. A connection is known by its organization, client id and start ({@code
 * connectTime}); {@code device} is the device whose connection log gets the entry (null for an
 * application), {@code message} the entry.
 */
sealed interface ConnectionRecord {
  String org();

  String clientId();

  DeviceKey device();

  Instant connectTime();

  /** When it happened: the time of the connection log's entry. */
  Instant at();

  String message();

  /** The connection it is about. */
  default Connection connection() {
    return new Connection(org(), clientId(), connectTime());
  }

  /** One connection of a client id: the one that started at {@code connectTime}. */
  record Connection(String org, String clientId, Instant connectTime) {}

  record Connected(
      String org,
      String clientId,
      DeviceKey device,
      Instant connectTime,
      Instant at,
      String protocol,
      String address,
      String message)
      implements ConnectionRecord {}

  record Disconnected(
      String org,
      String clientId,
      DeviceKey device,
      Instant connectTime,
      Instant at,
      String reason,
      String message)
      implements ConnectionRecord {}
}

package io.entwine.mqtt;

import io.entwine.protocol.CborSerializable;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link ClientSession} persists. Older journals name these as nested classes of {@code
 * ClientSession} ({@code io.entwine.mqtt.ClientSession$Subscribed}, ...); {@link
 * ClientSessionMigration} reads them.
 */
public sealed interface ClientSessionEvent extends CborSerializable {

  /** A connection took the client id; {@code cleanSession} discarded the stored session. */
  record SessionClaimed(
      ActorRef<ClientSession.Control> connection, boolean cleanSession, Instant at)
      implements ClientSessionEvent {}

  /** A persistent session stored a subscription (or a new QoS for one it had). */
  record Subscribed(String filter, int qos) implements ClientSessionEvent {}

  record Unsubscribed(String filter) implements ClientSessionEvent {}
}

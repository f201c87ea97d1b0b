package io.entwine.mqtt;

import io.entwine.protocol.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The state of a {@link ClientSession}, also its snapshot; it changes only through {@link #apply}.
 * Older snapshots name it {@code io.entwine.mqtt.ClientSession$State}; {@link
 * ClientSessionMigration} reads them.
 *
 * @param connection the connection holding the client id (it may be gone without having said so;
 *     telling it is harmless then)
 * @param persistent the holder asked for a persistent session
 */
public record ClientSessionState(
    ActorRef<ClientSession.Control> connection,
    boolean persistent,
    List<ClusterLink.StoredSubscription> subscriptions)
    implements CborSerializable {
  public static final ClientSessionState EMPTY = new ClientSessionState(null, false, List.of());

  public ClientSessionState {
    subscriptions = subscriptions == null ? List.of() : subscriptions;
  }

  /** The state after {@code event}: the one way the state changes, in recovery as in use. */
  ClientSessionState apply(ClientSessionEvent event) {
    if (event instanceof ClientSessionEvent.SessionClaimed claimed) {
      return new ClientSessionState(
          claimed.connection(),
          !claimed.cleanSession(),
          claimed.cleanSession() ? List.of() : subscriptions);
    } else if (event instanceof ClientSessionEvent.Subscribed subscribed) {
      return withSubscription(subscribed.filter(), subscribed.qos());
    } else if (event instanceof ClientSessionEvent.Unsubscribed unsubscribed) {
      return withoutSubscription(unsubscribed.filter());
    }
    throw new IllegalArgumentException("Unknown event " + event.getClass());
  }

  private ClientSessionState withSubscription(String filter, int qos) {
    List<ClusterLink.StoredSubscription> updated = new ArrayList<>(subscriptions.size() + 1);
    boolean replaced = false;
    for (ClusterLink.StoredSubscription s : subscriptions) {
      if (s.filter().equals(filter)) {
        updated.add(new ClusterLink.StoredSubscription(filter, qos));
        replaced = true;
      } else {
        updated.add(s);
      }
    }
    if (!replaced) {
      updated.add(new ClusterLink.StoredSubscription(filter, qos));
    }
    return new ClientSessionState(connection, persistent, List.copyOf(updated));
  }

  private ClientSessionState withoutSubscription(String filter) {
    return new ClientSessionState(
        connection,
        persistent,
        subscriptions.stream().filter(s -> !s.filter().equals(filter)).toList());
  }

  boolean isHeldBy(ActorRef<ClientSession.Control> candidate) {
    return candidate.equals(connection);
  }
}

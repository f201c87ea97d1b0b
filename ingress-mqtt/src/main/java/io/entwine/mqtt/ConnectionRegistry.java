package io.entwine.mqtt;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's MQTT connections: how many there are (bounded by {@code max-connections}) and which
 * connection holds which client id. A second connection with a client id on this node takes over at
 * once: the first is closed (MQTT 3.1.1 section 3.1.4; IBM IoT Foundation MQTT documentation,
 * Applications). Across nodes the client id's {@link ClientSession} does the same, for connections
 * on any node.
 */
final class ConnectionRegistry {
  private final int maxConnections;
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<String, MqttConnection> byClientId = new ConcurrentHashMap<>();

  ConnectionRegistry(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  /** Counts a new connection; false (and not counted) when the node is full. */
  boolean tryOpen() {
    while (true) {
      int current = connections.get();
      if (current >= maxConnections) {
        return false;
      }
      if (connections.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  void closed(String clientId, MqttConnection connection) {
    connections.decrementAndGet();
    if (clientId != null) {
      byClientId.remove(clientId, connection);
    }
  }

  /** Registers an authenticated connection; returns the one registered before it, if any. */
  Optional<MqttConnection> register(String clientId, MqttConnection connection) {
    MqttConnection previous = byClientId.put(clientId, connection);
    return previous == null || previous == connection ? Optional.empty() : Optional.of(previous);
  }

  /** The connection holding {@code clientId} on this node. */
  Optional<MqttConnection> connection(String clientId) {
    return Optional.ofNullable(byClientId.get(clientId));
  }

  int size() {
    return connections.get();
  }
}

package io.entwine.mqtt;

import java.util.HashSet;
import java.util.Set;

/**
 * A set of MQTT packet identifiers that allocates nothing until its first identifier: most
 * connections never use QoS 2, yet each idle connection kept two empty hash sets for it inbound and
 * one outbound, ≈ 64 bytes each (docs/adr/0075). Touched on the connection's event loop only.
 */
final class PacketIds {

  private Set<Integer> ids;

  boolean contains(int packetId) {
    return ids != null && ids.contains(packetId);
  }

  void add(int packetId) {
    if (ids == null) {
      ids = new HashSet<>();
    }
    ids.add(packetId);
  }

  void remove(int packetId) {
    if (ids != null) {
      ids.remove(packetId);
    }
  }

  int size() {
    return ids == null ? 0 : ids.size();
  }
}

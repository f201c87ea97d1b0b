package io.entwine.ingress;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address, bounded, so that one client cannot take every connection a
 * listener accepts. Shared by the HTTP and MQTT listeners; safe to use from any thread.
 */
public final class ConnectionsPerAddress {
  private final int limit;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

  public ConnectionsPerAddress(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("The limit of connections per address must be positive");
    }
    this.limit = limit;
  }

  /** Counts a new connection from {@code address}; false (and not counted) at the limit. */
  public boolean tryOpen(InetAddress address) {
    boolean[] opened = {false};
    open.compute(
        address,
        (key, count) -> {
          int current = count == null ? 0 : count;
          if (current >= limit) {
            return count;
          }
          opened[0] = true;
          return current + 1;
        });
    return opened[0];
  }

  /** A connection counted by {@link #tryOpen} has closed. */
  public void closed(InetAddress address) {
    open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
  }

  /** Connections open from every address together (a gauge: it sums, read at scrape time). */
  public int total() {
    int total = 0;
    for (int count : open.values()) {
      total += count;
    }
    return total;
  }

  /** Connections open from {@code address}. */
  public int open(InetAddress address) {
    return open.getOrDefault(address, 0);
  }
}

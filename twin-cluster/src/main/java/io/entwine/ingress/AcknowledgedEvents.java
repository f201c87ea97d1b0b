package io.entwine.ingress;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Device events this node acknowledged (persisted by their twin) since it started, per protocol
 * edge: the {@link DeviceMessage#origin()} up to its first {@code ':'} ({@code http}, {@code mqtt},
 * {@code hono-http}, {@code tencent-http}). Read by the metrics endpoint.
 */
public final class AcknowledgedEvents {
  private final Map<String, LongAdder> byProtocol = new ConcurrentHashMap<>();

  void count(String origin) {
    byProtocol.computeIfAbsent(protocol(origin), ignored -> new LongAdder()).increment();
  }

  /** The counts so far, by protocol in name order. */
  public Map<String, Long> byProtocol() {
    Map<String, Long> counts = new TreeMap<>();
    byProtocol.forEach((protocol, count) -> counts.put(protocol, count.sum()));
    return counts;
  }

  static String protocol(String origin) {
    int colon = origin.indexOf(':');
    return colon < 0 ? origin : origin.substring(0, colon);
  }
}

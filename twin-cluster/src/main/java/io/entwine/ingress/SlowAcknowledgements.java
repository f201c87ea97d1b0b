package io.entwine.ingress;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last slow acknowledgements this node gave (over {@code entwine.slow-acknowledgements
 * .threshold}), each with the time spent in every stage (docs/adr/0079), in a ring of fixed size:
 * the oldest record makes room for the newest. Only a slow acknowledgement allocates its record;
 * the fast ones cost a comparison. Served to operators and benchmarks by {@code GET
 * /api/v0002/admin/slow-acknowledgements}.
 */
public final class SlowAcknowledgements {

  /**
   * One slow acknowledgement: when its event reached the edge, its protocol, how many events it
   * acknowledged, and its milliseconds in total and per stage. The stages sum to the total: {@code
   * admission} (edge to the ask: parsing, authentication, admission and the wait for room under the
   * bound on events in flight), {@code toTwin} (cluster sharding, the twin's mailbox and the wait
   * behind its previous write), {@code handler} (the twin's command handler), {@code journal} (the
   * journal write with its tag writes, until the persist callback), {@code reply} (the answer's way
   * back to the gateway and its bookkeeping). The twin's three are null when the answer carried no
   * stamps (then {@code reply} holds all from the ask on).
   */
  public record Record(
      Instant receivedAt,
      String protocol,
      int events,
      double totalMillis,
      double admissionMillis,
      Double toTwinMillis,
      Double handlerMillis,
      Double journalMillis,
      double replyMillis) {}

  /** What the endpoint answers: the threshold, how many were seen in all, the newest records. */
  public record Snapshot(double thresholdMillis, long seen, List<Record> records) {}

  private final long thresholdNanos;
  private final Record[] ring;
  private long seen;

  public SlowAcknowledgements(Duration threshold, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("slow-acknowledgements.capacity must be at least 1");
    }
    this.thresholdNanos = threshold.toNanos();
    this.ring = new Record[capacity];
  }

  static SlowAcknowledgements from(Config config) {
    return new SlowAcknowledgements(
        config.getDuration("entwine.slow-acknowledgements.threshold"),
        config.getInt("entwine.slow-acknowledgements.capacity"));
  }

  /** Whether an acknowledgement that took {@code totalNanos} is kept. */
  boolean isSlow(long totalNanos) {
    return totalNanos >= thresholdNanos;
  }

  synchronized void add(Record record) {
    ring[(int) (seen % ring.length)] = record;
    seen++;
  }

  /** The kept records, oldest first. */
  public synchronized Snapshot snapshot() {
    int kept = (int) Math.min(seen, ring.length);
    List<Record> records = new ArrayList<>(kept);
    for (long i = seen - kept; i < seen; i++) {
      records.add(ring[(int) (i % ring.length)]);
    }
    return new Snapshot(thresholdNanos / 1e6, seen, records);
  }
}

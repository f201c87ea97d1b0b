package io.entwine.ingress;

import io.entwine.metrics.StageClock;
import io.entwine.protocol.Reply;
import java.time.Instant;

/**
 * The stamps of one recording on its way through the gateway (docs/adr/0079): when its first event
 * reached the edge ({@link DeviceMessage#receivedAt()}) and when the gateway asked the twin, after
 * the bound on events in flight let it through. The twin's own stamps come back in its {@link
 * Reply.Done}; {@link #split} turns them into the durations of the stages. One per recording,
 * dropped with it: nothing is kept per twin.
 */
final class AckStages {
  static final int ADMISSION = 0;
  static final int TO_TWIN = 1;
  static final int HANDLER = 2;
  static final int JOURNAL = 3;
  static final int REPLY = 4;
  static final String[] NAMES = {"admission", "to-twin", "handler", "journal", "reply"};

  final long receivedAt;
  long askedAt;

  /** The nanoseconds of each stage, indexed as {@link #NAMES}, once {@link #split} ran. */
  final long[] stages = new long[NAMES.length];

  AckStages(Instant receivedAt) {
    this.receivedAt = receivedAt == null ? StageClock.now() : StageClock.nanos(receivedAt);
  }

  void asked() {
    askedAt = StageClock.now();
  }

  /**
   * Writes into {@link #stages} the nanoseconds of each stage of a recording answered by {@code
   * done} at {@code repliedAt}, and returns the total. Stamps of another node's clock can be out of
   * order by the clocks' offset, so each stage is at least 0. Without the twin's stamps, handler
   * and journal are -1 and {@code to-twin} is 0: everything from the ask on counts as reply.
   */
  long split(Reply.Done done, long repliedAt) {
    long asked = askedAt == 0 ? receivedAt : askedAt;
    stages[ADMISSION] = Math.max(0, asked - receivedAt);
    if (done.stamped()) {
      stages[TO_TWIN] = Math.max(0, done.arrivedAt() - asked);
      stages[HANDLER] = Math.max(0, done.handedAt() - done.arrivedAt());
      stages[JOURNAL] = Math.max(0, done.persistedAt() - done.handedAt());
      stages[REPLY] = Math.max(0, repliedAt - done.persistedAt());
    } else {
      stages[TO_TWIN] = 0;
      stages[HANDLER] = -1;
      stages[JOURNAL] = -1;
      stages[REPLY] = Math.max(0, repliedAt - asked);
    }
    long total = 0;
    for (long stage : stages) {
      total += Math.max(0, stage);
    }
    return total;
  }

  /** The record of a slow acknowledgement, from the stages {@link #split} wrote. */
  SlowAcknowledgements.Record record(String protocol, int events, long total) {
    boolean stamped = stages[HANDLER] >= 0;
    return new SlowAcknowledgements.Record(
        Instant.ofEpochSecond(0, receivedAt),
        protocol,
        events,
        millis(total),
        millis(stages[ADMISSION]),
        stamped ? millis(stages[TO_TWIN]) : null,
        stamped ? millis(stages[HANDLER]) : null,
        stamped ? millis(stages[JOURNAL]) : null,
        millis(stages[REPLY]));
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e3) / 1e3;
  }
}

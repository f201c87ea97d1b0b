package io.entwine.historian;

import java.util.Comparator;

/**
 * An event's place in the historian's order: newest first, ties broken by device type, device id
 * and sequence number, all descending (the clustering order of the raw-event tables). A page's
 * cursor is the position of its last event; the next page starts after it.
 */
public record Position(long timestamp, String type, String id, long seqNr) {

  public static final Comparator<Position> NEWEST_FIRST =
      Comparator.comparingLong(Position::timestamp)
          .thenComparing(Position::type)
          .thenComparing(Position::id)
          .thenComparingLong(Position::seqNr)
          .reversed();

  /**
   * The position just older than every event at {@code time} or later: bounds {@code ts < time}.
   */
  public static Position before(long time) {
    return new Position(time, "", "", Long.MIN_VALUE);
  }

  /** Whether this position is strictly older than {@code other} (comes after it in a page). */
  public boolean isOlderThan(Position other) {
    return NEWEST_FIRST.compare(this, other) > 0;
  }
}

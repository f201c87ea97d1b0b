package io.entwine.metrics;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the epoch, for the stages of an acknowledgement
 * (docs/adr/0079): the same clock as the {@link Instant} an edge stamps on a message it received,
 * so a stage that starts at that stamp and ends at {@link #now()} is measured on one clock, and the
 * stamps of two nodes differ only by their clocks' offset (NTP keeps it at a millisecond or so;
 * such a stage is clamped at zero where it is recorded). {@code System.nanoTime()} plus an offset
 * taken once would drift from the wall clock (and from the other nodes) as NTP corrects it over a
 * node's uptime. {@link Instant#now()} resolves microseconds here, and the JIT removes the {@code
 * Instant} when only its fields are read.
 */
public final class StageClock {
  private StageClock() {}

  /** Now, in nanoseconds since 1970-01-01T00:00Z. */
  public static long now() {
    return nanos(Instant.now());
  }

  /** {@code instant} in nanoseconds since 1970-01-01T00:00Z. */
  public static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}

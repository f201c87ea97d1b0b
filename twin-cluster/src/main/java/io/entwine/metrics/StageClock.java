package io.entwine.metrics;

/**
 * Wall-clock time in nanoseconds since the epoch, read from the monotonic clock: {@code
 * System.nanoTime()} plus an offset taken once per JVM. Stamps the stages of an acknowledgement
 * (docs/adr/0079) without allocating (an {@code Instant} would) and without the millisecond steps
 * of {@code System.currentTimeMillis()}. Within one JVM differences are exact; between the nodes of
 * a cluster they carry the nodes' clock offset (NTP keeps it at a millisecond or so), which is why
 * a stage that crosses nodes is clamped at zero where it is recorded.
 */
public final class StageClock {
  private static final long EPOCH_OFFSET_NANOS =
      System.currentTimeMillis() * 1_000_000L - System.nanoTime();

  private StageClock() {}

  /** Now, in nanoseconds since 1970-01-01T00:00Z. */
  public static long now() {
    return EPOCH_OFFSET_NANOS + System.nanoTime();
  }
}

package io.entwine.historian;

import java.time.Instant;

/**
 * The time layout of the historian tables, fixed for the life of a keyspace (it is part of every
 * partition key). All times are epoch milliseconds, UTC; every bucket starts at a multiple of its
 * length.
 *
 * <ul>
 *   <li>raw events of one device: one partition per device, UTC day and event type;
 *   <li>raw events of a device type and of an organization: one partition per hour and event type;
 *   <li>roll-ups: one row per field and hour, in partitions of 30 days.
 * </ul>
 */
public final class Buckets {
  public static final long HOUR = 3_600_000L;
  public static final long DAY = 24 * HOUR;

  /** Length of a roll-up partition: 720 hourly buckets. */
  public static final long ROLLUP_PERIOD = 30 * DAY;

  /**
   * Event timestamps are clamped into this range so that bucket arithmetic cannot overflow (±285
   * million years: no real timestamp is affected).
   */
  public static final long MIN_TIME = -9_000_000_000_000_000_000L;

  public static final long MAX_TIME = 9_000_000_000_000_000_000L;

  private Buckets() {}

  /** The start of the bucket of {@code size} that holds {@code time}. */
  public static long start(long time, long size) {
    return time - Math.floorMod(time, size);
  }

  /** The smallest bucket start of {@code size} that is at or after {@code time}. */
  public static long ceil(long time, long size) {
    long start = start(time, size);
    return start == time ? time : start + size;
  }

  /** The roll-up partition (30-day period index) of an hourly bucket. */
  public static long period(long hour) {
    return Math.floorDiv(hour, ROLLUP_PERIOD);
  }

  public static long clamp(long time) {
    return Math.max(MIN_TIME, Math.min(MAX_TIME, time));
  }

  /** An event's timestamp in milliseconds, clamped into [MIN_TIME, MAX_TIME]. */
  public static long millis(Instant timestamp) {
    long seconds = timestamp.getEpochSecond();
    if (seconds <= MIN_TIME / 1000) {
      return MIN_TIME;
    }
    if (seconds >= MAX_TIME / 1000) {
      return MAX_TIME;
    }
    return clamp(timestamp.toEpochMilli());
  }
}

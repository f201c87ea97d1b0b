package io.entwine.usage;

import io.entwine.identity.DeviceKey;

/**
 * What one device sent on one UTC day ({@code day} counts days since 1970-01-01): its readings, the
 * bytes of their payloads, and the highest reading number counted, below which a replayed reading
 * is not counted again.
 */
public record DeviceDay(long events, long bytes, long appliedReading) {

  public static final DeviceDay NONE = new DeviceDay(0, 0, -1);

  /** A device and a day. */
  public record Key(DeviceKey device, long day) {}

  /** This day with the reading numbered {@code readingNr} of {@code bytes}, unless counted. */
  public DeviceDay plus(long readingNr, int bytes) {
    if (readingNr <= appliedReading) {
      return this;
    }
    return new DeviceDay(events + 1, this.bytes + bytes, readingNr);
  }
}

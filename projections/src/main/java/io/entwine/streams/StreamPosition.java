package io.entwine.streams;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a stream is in the journal: for each tag slice of recorded events ({@code twin-0} …), the
 * time-based UUID offset of the last journal event delivered from it and how many of that event's
 * readings were delivered ({@link #ALL}: all of them). Tag offsets order the events of one slice
 * totally (pekko-persistence-cassandra's events-by-tag), and every device's events are in one
 * slice, so this vector says exactly what was delivered: resuming from it sends what follows in
 * each slice, nothing twice and nothing left out. Its text form is the SSE {@code id}.
 */
public final class StreamPosition {
  /** Every reading of the journal event at the offset was delivered. */
  public static final int ALL = -1;

  private static final String VERSION = "1";
  private static final int ENTRY_BYTES = 20;
  private static final long GREGORIAN_TO_UNIX_100NS = 0x01b21dd213814000L;

  private final UUID[] offsets;
  private final int[] delivered;

  private StreamPosition(UUID[] offsets, int[] delivered) {
    this.offsets = offsets;
    this.delivered = delivered;
  }

  /** Everything written after {@code start} (a time-based UUID), in each of {@code slices}. */
  public static StreamPosition after(UUID start, int slices) {
    UUID[] offsets = new UUID[slices];
    Arrays.fill(offsets, start);
    int[] delivered = new int[slices];
    Arrays.fill(delivered, ALL);
    return new StreamPosition(offsets, delivered);
  }

  /** This position after delivering reading {@code reading} of {@code readings} at the offset. */
  public StreamPosition advanced(int slice, UUID offset, int reading, int readings) {
    UUID[] nextOffsets = offsets.clone();
    int[] nextDelivered = delivered.clone();
    nextOffsets[slice] = offset;
    nextDelivered[slice] = reading + 1 >= readings ? ALL : reading + 1;
    return new StreamPosition(nextOffsets, nextDelivered);
  }

  public int slices() {
    return offsets.length;
  }

  public UUID offset(int slice) {
    return offsets[slice];
  }

  /** Readings of the event at {@link #offset} already delivered, or {@link #ALL}. */
  public int delivered(int slice) {
    return delivered[slice];
  }

  /** The time of the oldest offset: how far back a resume from here reads. */
  public Instant oldest() {
    long min = Long.MAX_VALUE;
    for (UUID offset : offsets) {
      min = Math.min(min, unixMillis(offset));
    }
    return Instant.ofEpochMilli(min);
  }

  public static long unixMillis(UUID timeBased) {
    return (timeBased.timestamp() - GREGORIAN_TO_UNIX_100NS) / 10_000;
  }

  /** The opaque text form: a version and the base64url vector. */
  public String encode() {
    ByteBuffer bytes = ByteBuffer.allocate(offsets.length * ENTRY_BYTES);
    for (int i = 0; i < offsets.length; i++) {
      bytes.putLong(offsets[i].getMostSignificantBits());
      bytes.putLong(offsets[i].getLeastSignificantBits());
      bytes.putInt(delivered[i]);
    }
    return VERSION + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /**
   * The position {@link #encode} wrote, for a journal of {@code slices} slices.
   *
   * @throws StreamFilter.InvalidFilter when {@code text} is not one
   */
  public static StreamPosition decode(String text, int slices) {
    String prefix = VERSION + ".";
    byte[] raw;
    try {
      raw = text.startsWith(prefix) ? Base64.getUrlDecoder().decode(text.substring(2)) : null;
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null || raw.length != slices * ENTRY_BYTES) {
      throw invalid(text);
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw);
    UUID[] offsets = new UUID[slices];
    int[] delivered = new int[slices];
    for (int i = 0; i < slices; i++) {
      offsets[i] = new UUID(bytes.getLong(), bytes.getLong());
      delivered[i] = bytes.getInt();
      if (offsets[i].version() != 1 || delivered[i] < ALL) {
        throw invalid(text);
      }
    }
    return new StreamPosition(offsets, delivered);
  }

  private static StreamFilter.InvalidFilter invalid(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    return new StreamFilter.InvalidFilter(
        "'" + shown + "' is not a position of this stream (use the id of a message received)");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamPosition that
        && Arrays.equals(offsets, that.offsets)
        && Arrays.equals(delivered, that.delivered);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(offsets) * 31 + Arrays.hashCode(delivered);
  }

  @Override
  public String toString() {
    return encode();
  }
}

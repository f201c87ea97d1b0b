package io.entwine.streams;

import io.entwine.twin.DeviceTwin;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Where a stream is in the journal: for each tag slice of recorded events ({@code twin-0} …), the
 * time-based UUID offset of the last journal event delivered from it and how many of that event's
 * readings were delivered ({@link #ALL}: all of them). Tag offsets order the events of one slice
 * totally (pekko-persistence-cassandra's events-by-tag), and every device's events are in one
 * slice, so this vector says exactly what was delivered: resuming from it sends what follows in
 * each slice, nothing twice and nothing left out. Its text form is the SSE {@code id}.
 *
 * <p>Readings handed on from the live feed before the journal query reached them (docs/adr/0061)
 * are {@link Run}s: per device, ranges of its readings that were all handled, which a resume skips
 * when the query finds them. A run goes once the query has passed its end.
 */
public final class StreamPosition {
  /** Every reading of the journal event at the offset was delivered. */
  public static final int ALL = -1;

  /**
   * Every reading of {@code device} (a {@link DeviceHash}) whose key ({@link #readingKey}) is from
   * {@code first} to {@code last} was handled: handed on, or not wanted by the stream's filter.
   */
  public record Run(long device, long first, long last) {
    public boolean holds(long device, long key) {
      return this.device == device && first <= key && key <= last;
    }
  }

  private static final String VERSION = "2";
  private static final String VERSION_WITHOUT_RUNS = "1";
  private static final int ENTRY_BYTES = 20;
  private static final long GREGORIAN_TO_UNIX_100NS = 0x01b21dd213814000L;

  private final UUID[] offsets;
  private final int[] delivered;
  private final List<Run> runs;
  // Not part of the text form: only a stream that starts here knows it is new.
  private final boolean fresh;

  private StreamPosition(UUID[] offsets, int[] delivered, List<Run> runs) {
    this(offsets, delivered, runs, false);
  }

  private StreamPosition(UUID[] offsets, int[] delivered, List<Run> runs, boolean fresh) {
    this.offsets = offsets;
    this.delivered = delivered;
    this.runs = runs;
    this.fresh = fresh;
  }

  /** This position as a new stream's start: no client was sent anything before it. */
  public StreamPosition asFresh() {
    return new StreamPosition(offsets, delivered, runs, true);
  }

  /** Whether a new stream starts here, rather than a client resuming. */
  public boolean isFresh() {
    return fresh;
  }

  /**
   * A reading's place among its device's readings: the journal event's sequence number and the
   * reading's index in it, as the historian numbers readings.
   */
  public static long readingKey(long sequenceNr, int reading) {
    return sequenceNr * DeviceTwin.READINGS_PER_EVENT + reading;
  }

  /** Everything written after {@code start} (a time-based UUID), in each of {@code slices}. */
  public static StreamPosition after(UUID start, int slices) {
    UUID[] offsets = new UUID[slices];
    Arrays.fill(offsets, start);
    int[] delivered = new int[slices];
    Arrays.fill(delivered, ALL);
    return new StreamPosition(offsets, delivered, List.of());
  }

  /** This position after delivering reading {@code reading} of {@code readings} at the offset. */
  public StreamPosition advanced(int slice, UUID offset, int reading, int readings) {
    UUID[] nextOffsets = offsets.clone();
    int[] nextDelivered = delivered.clone();
    nextOffsets[slice] = offset;
    nextDelivered[slice] = reading + 1 >= readings ? ALL : reading + 1;
    return new StreamPosition(nextOffsets, nextDelivered, runs);
  }

  public List<Run> runs() {
    return runs;
  }

  /** Whether the reading {@code key} of {@code device} is in one of the runs. */
  public boolean handledAhead(long device, long key) {
    for (Run run : runs) {
      if (run.holds(device, key)) {
        return true;
      }
    }
    return false;
  }

  /** This position with the reading {@code key} of {@code device} handled, as a run of its own. */
  public StreamPosition withRun(long device, long key) {
    List<Run> next = new ArrayList<>(runs.size() + 1);
    next.addAll(runs);
    next.add(new Run(device, key, key));
    return new StreamPosition(offsets, delivered, List.copyOf(next));
  }

  /** This position with {@code device}'s newest run ending at {@code key} instead. */
  public StreamPosition withRunExtended(long device, long key) {
    List<Run> next = new ArrayList<>(runs);
    for (int i = next.size() - 1; i >= 0; i--) {
      Run run = next.get(i);
      if (run.device() == device) {
        next.set(i, new Run(device, run.first(), key));
        return new StreamPosition(offsets, delivered, List.copyOf(next));
      }
    }
    return withRun(device, key);
  }

  /** This position without {@code device}'s runs that end at or before {@code key}. */
  public StreamPosition withRunsPassed(long device, long key) {
    List<Run> next =
        runs.stream().filter(run -> run.device() != device || run.last() > key).toList();
    return next.size() == runs.size() ? this : new StreamPosition(offsets, delivered, next);
  }

  /** Whether {@code device} has a run whose end is {@code key}. */
  public boolean runEndsAt(long device, long key) {
    return runs.stream().anyMatch(run -> run.device() == device && run.last() == key);
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

  /** The opaque text form: a version and the base64url vector, then the runs. */
  public String encode() {
    ByteBuffer bytes = ByteBuffer.allocate(offsets.length * ENTRY_BYTES);
    for (int i = 0; i < offsets.length; i++) {
      bytes.putLong(offsets[i].getMostSignificantBits());
      bytes.putLong(offsets[i].getLeastSignificantBits());
      bytes.putInt(delivered[i]);
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream(bytes.capacity() + runs.size() * 14);
    all.write(offsets.length);
    all.writeBytes(bytes.array());
    writeVarLong(all, runs.size());
    for (Run run : runs) {
      all.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(run.device()).array());
      writeVarLong(all, run.first());
      writeVarLong(all, run.last() - run.first());
    }
    return VERSION
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(all.toByteArray());
  }

  private static void writeVarLong(ByteArrayOutputStream out, long value) {
    long rest = value;
    while ((rest & ~0x7FL) != 0) {
      out.write((int) ((rest & 0x7F) | 0x80));
      rest >>>= 7;
    }
    out.write((int) rest);
  }

  private static long readVarLong(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte next = in.get();
      value |= (long) (next & 0x7F) << shift;
      if ((next & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("variable-length number too long");
  }

  /**
   * The position {@link #encode} wrote, for a journal of {@code slices} slices.
   *
   * @throws StreamFilter.InvalidFilter when {@code text} is not one
   */
  public static StreamPosition decode(String text, int slices) {
    boolean withRuns = text.startsWith(VERSION + ".");
    byte[] raw;
    try {
      raw =
          withRuns || text.startsWith(VERSION_WITHOUT_RUNS + ".")
              ? Base64.getUrlDecoder().decode(text.substring(2))
              : null;
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null
        || (withRuns
            ? raw.length < 1 + slices * ENTRY_BYTES + 1 || raw[0] != slices
            : raw.length != slices * ENTRY_BYTES)) {
      throw invalid(text);
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw, withRuns ? 1 : 0, raw.length - (withRuns ? 1 : 0));
    UUID[] offsets = new UUID[slices];
    int[] delivered = new int[slices];
    for (int i = 0; i < slices; i++) {
      offsets[i] = new UUID(bytes.getLong(), bytes.getLong());
      delivered[i] = bytes.getInt();
      if (offsets[i].version() != 1 || delivered[i] < ALL) {
        throw invalid(text);
      }
    }
    List<Run> runs = new ArrayList<>();
    try {
      long count = withRuns ? readVarLong(bytes) : 0;
      if (count < 0 || count > MAX_DECODED_RUNS) {
        throw invalid(text);
      }
      for (long i = 0; i < count; i++) {
        long device = bytes.getLong();
        long first = readVarLong(bytes);
        long length = readVarLong(bytes);
        if (first < 0 || length < 0) {
          throw invalid(text);
        }
        runs.add(new Run(device, first, first + length));
      }
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw invalid(text);
    }
    if (bytes.hasRemaining()) {
      throw invalid(text);
    }
    return new StreamPosition(offsets, delivered, List.copyOf(runs));
  }

  /** More runs than any stream writes: a position with more is not one of ours. */
  private static final int MAX_DECODED_RUNS = 1024;

  private static StreamFilter.InvalidFilter invalid(String text) {
    String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    return new StreamFilter.InvalidFilter(
        "'" + shown + "' is not a position of this stream (use the id of a message received)");
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StreamPosition that
        && Arrays.equals(offsets, that.offsets)
        && Arrays.equals(delivered, that.delivered)
        && runs.equals(that.runs);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(offsets) * 31 + Arrays.hashCode(delivered)) * 31 + runs.hashCode();
  }

  @Override
  public String toString() {
    return encode();
  }
}

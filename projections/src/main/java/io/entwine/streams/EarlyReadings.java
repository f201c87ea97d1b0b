package io.entwine.streams;

import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * One stream's device events, which reach it twice (docs/adr/0061): from the live feed within
 * milliseconds of their write, and from the journal's query seconds later. Each reading is handed
 * on once, by whichever brings it first under these rules, and the {@link StreamPosition} says
 * exactly which were, so that a resume sends each of the others once.
 *
 * <ul>
 *   <li>A live reading goes on at once when it follows the device's last handled reading (its
 *       reading number is the next), and becomes part of the device's open {@link
 *       StreamPosition.Run}; the query skips it later.
 *   <li>A live reading of a device whose last reading is not known starts a new run only when its
 *       slice's query has caught up with the stream's start, or the stream is new (so a resume
 *       sends what was missed first), it was written less than {@code freshness} ago by the
 *       writer's clock (so the query, which waits twice that long for each write, cannot have
 *       brought it yet), and fewer than {@code maxRuns} runs are open (the id stays small).
 *   <li>Any other live reading is left to the query, and the device's later live readings with it
 *       until the query brings that one: what the query brings goes on in the device's order.
 * </ul>
 */
final class EarlyReadings {
  private static final long UNKNOWN = -1;
  private static final long NONE = -1;
  private static final int MAX_DEVICES = 4096;

  /** What the stream knows of one device's readings; never persisted. */
  private static final class Device {
    /** The newest reading handled either way, as a {@link StreamPosition#readingKey}. */
    long lastKey = NONE;

    /** Its reading number, when the live feed told it. */
    long lastNumber = UNKNOWN;

    /** The newest live reading left to the query; later live readings wait for it too. */
    long pendingKey = NONE;

    long pendingNumber;

    /** Whether the device's newest run ends at the last handled reading wanted by the filter. */
    boolean runOpen;
  }

  private final StreamFilter filter;
  private final ToIntFunction<DeviceKey> sliceOf;
  private final long caughtUpMillis;
  private final long freshnessMillis;
  private final int maxRuns;
  private final boolean[] caughtUp;
  private final Map<Long, Device> devices = new LinkedHashMap<>(16, 0.75f, true);
  private StreamPosition position;

  EarlyReadings(
      StreamPosition from,
      StreamFilter filter,
      ToIntFunction<DeviceKey> sliceOf,
      Instant caughtUpAt,
      long freshnessMillis,
      int maxRuns) {
    this.position = from;
    this.filter = filter;
    this.sliceOf = sliceOf;
    this.caughtUpMillis = caughtUpAt.toEpochMilli();
    this.freshnessMillis = freshnessMillis;
    this.maxRuns = maxRuns;
    this.caughtUp = new boolean[from.slices()];
    for (int slice = 0; slice < caughtUp.length; slice++) {
      // a new stream wants nothing from before its start, so its queries have nothing to catch
      // up with; a reading written while it subscribes may come from the query after a later one
      caughtUp[slice] =
          from.isFresh() || StreamPosition.unixMillis(from.offset(slice)) >= caughtUpMillis;
    }
  }

  StreamPosition position() {
    return position;
  }

  /** The query of {@code slice} reached the stream's start. */
  void caughtUp(int slice) {
    caughtUp[slice] = true;
  }

  /** A reading the query found: its message, or empty when it was handed on early. */
  Optional<StreamMessage> journaled(JournalEvents.Journaled found) {
    long device = found.device();
    long key = found.key();
    position = position.advanced(found.slice(), found.offset(), found.reading(), found.readings());
    if (StreamPosition.unixMillis(found.offset()) >= caughtUpMillis) {
      caughtUp[found.slice()] = true;
    }
    boolean early = position.handledAhead(device, key);
    position = position.withRunsPassed(device, key);
    Device known = devices.get(device);
    if (known != null && known.runOpen && !hasRun(device)) {
      known.runOpen = false;
    }
    if (early) {
      return Optional.empty();
    }
    if (known != null && key > known.lastKey) {
      known.lastKey = key;
      known.lastNumber = key == known.pendingKey ? known.pendingNumber : UNKNOWN;
      if (key >= known.pendingKey) {
        known.pendingKey = NONE;
      }
      known.runOpen = false;
    }
    return Optional.of(found.message());
  }

  /**
   * A reading the live feed brought {@code nowMillis}: its message when it goes on now, or empty
   * when the query will bring it.
   */
  Optional<StreamMessage> live(LiveMessage.DeviceEvent event, long nowMillis) {
    LiveMessage.Journaled journaled = event.journaled();
    if (journaled == null || journaled.sequenceNr() <= 0 || journaled.readingNumber() <= 0) {
      return Optional.empty(); // a sender that does not say where it wrote: the query brings it
    }
    DeviceKey key = new DeviceKey(event.org(), event.type(), event.id());
    long device = DeviceHash.of(key.entityId());
    long readingKey = StreamPosition.readingKey(journaled.sequenceNr(), journaled.reading());
    long number = journaled.readingNumber();
    boolean wanted =
        filter.matches(StreamKind.EVENT, event.type(), event.id(), event.eventId(), event.format());
    Device known = devices.get(device);
    if (known != null && readingKey <= known.lastKey) {
      return Optional.empty(); // handled already, or older than what was: the query brings it
    }
    if (known != null && known.pendingKey != NONE) {
      return leftToQuery(known, readingKey, number, wanted);
    }
    boolean follows =
        known != null && known.lastNumber != UNKNOWN && number == known.lastNumber + 1;
    if (!follows) {
      boolean gapKnown = known != null && known.lastNumber != UNKNOWN && number > known.lastNumber;
      boolean mayStart =
          !gapKnown
              && caughtUp[sliceOf.applyAsInt(key)]
              && nowMillis - journaled.writtenAt() <= freshnessMillis;
      if (!mayStart) {
        return wanted ? leftToQuery(device(device), readingKey, number, true) : Optional.empty();
      }
      known = device(device);
      known.runOpen = false;
    }
    if (wanted && !known.runOpen && position.runs().size() >= maxRuns) {
      return leftToQuery(known, readingKey, number, true);
    }
    known.lastKey = readingKey;
    known.lastNumber = number;
    if (!wanted) {
      return Optional.empty();
    }
    position =
        known.runOpen
            ? position.withRunExtended(device, readingKey)
            : position.withRun(device, readingKey);
    known.runOpen = true;
    return Optional.of(
        StreamMessage.event(
            key,
            new EventRecorded(
                event.eventId(), event.format(), event.payload(), event.timestamp(), null)));
  }

  private static Optional<StreamMessage> leftToQuery(
      Device known, long readingKey, long number, boolean wanted) {
    if (wanted) {
      known.pendingKey = readingKey;
      known.pendingNumber = number;
    }
    return Optional.empty();
  }

  private boolean hasRun(long device) {
    for (StreamPosition.Run run : position.runs()) {
      if (run.device() == device) {
        return true;
      }
    }
    return false;
  }

  /**
   * The device's record, made when missing; the least recently used idle ones go beyond a bound.
   */
  private Device device(long device) {
    Device known = devices.get(device);
    if (known == null) {
      known = new Device();
      devices.put(device, known);
      if (devices.size() > MAX_DEVICES) {
        forgetOneIdle();
      }
    }
    return known;
  }

  /**
   * Forgets the least recently used device with no run and nothing left to the query: its next live
   * reading then starts afresh, which the freshness rule keeps from doubling one the query brought.
   */
  private void forgetOneIdle() {
    for (Iterator<Map.Entry<Long, Device>> it = devices.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Device> entry = it.next();
      if (entry.getValue().pendingKey == NONE && !hasRun(entry.getKey())) {
        it.remove();
        return;
      }
    }
  }
}

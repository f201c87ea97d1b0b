package io.entwine.projection;

import io.entwine.historian.HistoricalEvent;
import io.entwine.identity.DeviceKey;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * How the read side finds the readings in a twin's journal: the device a journal row belongs to,
 * the readings an event records, and each reading's number. The historian, the usage counters and
 * the event streams read them the same way, so a new kind of reading event is added here once.
 */
public final class TwinJournal {

  /** Takes one reading of a twin's journal. */
  @FunctionalInterface
  public interface ReadingVisitor {
    void accept(DeviceKey device, long readingNr, EventRecorded reading);
  }

  private TwinJournal() {}

  /** The device whose twin wrote the journal rows of {@code persistenceId}. */
  public static DeviceKey deviceOf(String persistenceId) {
    return DeviceKey.fromEntityId(PersistenceId.extractEntityId(persistenceId));
  }

  /**
   * The readings {@code event} records, in order: itself for an {@link EventRecorded}, each of an
   * {@link EventsRecorded}'s, none for any other event.
   */
  public static List<EventRecorded> readingsIn(Object event) {
    if (event instanceof EventRecorded single) {
      return List.of(single);
    }
    if (event instanceof EventsRecorded batch) {
      return batch.readings();
    }
    return List.of();
  }

  /**
   * Each reading {@code readingsOf} finds in {@code envelopes}, in journal order, with its device
   * and its {@link HistoricalEvent#readingNr reading number}.
   */
  public static void forEachReading(
      List<EventEnvelope<TwinEvent>> envelopes,
      Function<TwinEvent, List<EventRecorded>> readingsOf,
      ReadingVisitor visitor) {
    for (EventEnvelope<TwinEvent> envelope : envelopes) {
      List<EventRecorded> recorded = readingsOf.apply(envelope.event());
      if (recorded.isEmpty()) {
        continue;
      }
      DeviceKey device = deviceOf(envelope.persistenceId());
      for (int index = 0; index < recorded.size(); index++) {
        visitor.accept(
            device, HistoricalEvent.readingNr(envelope.sequenceNr(), index), recorded.get(index));
      }
    }
  }
}

package io.entwine.streams;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.entwine.identity.DeviceKey;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Source;

/**
 * An organization's recorded device events from the journal's tag views ({@code twin-0} …, the
 * historian's slices), after a {@link StreamPosition}, then live as they are written: the
 * events-by-tag query of pekko-persistence-cassandra, one per slice, merged. Each slice keeps its
 * order; the query sees an event once its tag row is older than {@code
 * events-by-tag.eventual-consistency-delay} (2 s), so nothing written out of order is skipped.
 */
public final class JournalEvents {
  /** One reading of a journal event, with where it is: slice, offset and index in its event. */
  public record Journaled(
      StreamMessage message, int slice, UUID offset, int reading, int readings) {}

  private final ActorSystem<?> system;
  private final List<String> tags;
  private volatile CassandraReadJournal journal;

  public JournalEvents(ActorSystem<?> system) {
    this.system = system;
    this.tags = DeviceTwin.RECORDED_TAGS;
  }

  public int slices() {
    return tags.size();
  }

  /** What {@code org}'s devices recorded after {@code from} and passes {@code filter}, unending. */
  public Source<Journaled, NotUsed> after(String org, StreamPosition from, StreamFilter filter) {
    return Source.from(IntStream.range(0, tags.size()).boxed().toList())
        .flatMapMerge(tags.size(), slice -> slice(slice, org, from, filter));
  }

  private Source<Journaled, NotUsed> slice(
      int slice, String org, StreamPosition from, StreamFilter filter) {
    UUID offset = from.offset(slice);
    int delivered = from.delivered(slice);
    Function<EventEnvelope, List<Journaled>> readings = e -> readings(e, slice, org, filter);
    if (delivered == StreamPosition.ALL) {
      // the offset is exclusive: the query starts with the next event of the slice
      return journal()
          .eventsByTag(tags.get(slice), new TimeBasedUUID(offset))
          .mapConcat(readings::apply);
    }
    // part of the event at the offset was delivered: read it again and skip what was
    UUID before = Uuids.startOf(StreamPosition.unixMillis(offset) - 1);
    return journal()
        .eventsByTag(tags.get(slice), new TimeBasedUUID(before))
        .statefulMapConcat(
            () -> {
              boolean[] seeking = {true};
              return envelope -> {
                List<Journaled> all = readings.apply(envelope);
                if (!seeking[0]) {
                  return all;
                }
                UUID at = ((TimeBasedUUID) envelope.offset()).value();
                if (at.equals(offset)) {
                  seeking[0] = false;
                  return all.stream().filter(j -> j.reading() >= delivered).toList();
                }
                if (at.timestamp() > offset.timestamp()) {
                  seeking[0] = false; // the event at the offset is gone; what follows is new
                  return all;
                }
                return List.of();
              };
            });
  }

  private static List<Journaled> readings(
      EventEnvelope envelope, int slice, String org, StreamFilter filter) {
    List<EventRecorded> recorded = recordedIn(envelope.event());
    if (recorded.isEmpty()) {
      return List.of();
    }
    DeviceKey device =
        DeviceKey.fromEntityId(PersistenceId.extractEntityId(envelope.persistenceId()));
    if (!device.org().equals(org)) {
      return List.of();
    }
    UUID offset = ((TimeBasedUUID) envelope.offset()).value();
    List<Journaled> readings = new ArrayList<>(recorded.size());
    for (int index = 0; index < recorded.size(); index++) {
      StreamMessage message = StreamMessage.event(device, recorded.get(index));
      if (message.passes(filter)) {
        readings.add(new Journaled(message, slice, offset, index, recorded.size()));
      }
    }
    return readings;
  }

  private static List<EventRecorded> recordedIn(Object event) {
    if (event instanceof EventRecorded single) {
      return List.of(single);
    }
    if (event instanceof EventsRecorded batch) {
      return batch.readings();
    }
    return List.of();
  }

  /** Created on first use: creating the read journal connects to Cassandra at once. */
  private CassandraReadJournal journal() {
    CassandraReadJournal current = journal;
    if (current == null) {
      synchronized (this) {
        if (journal == null) {
          journal =
              PersistenceQuery.get(system.classicSystem())
                  .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
        }
        current = journal;
      }
    }
    return current;
  }
}

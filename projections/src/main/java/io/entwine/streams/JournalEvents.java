package io.entwine.streams;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.entwine.identity.DeviceKey;
import io.entwine.projection.TwinJournal;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.time.Instant;
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
import org.apache.pekko.stream.javadsl.Source;

/**
 * An organization's recorded device events from the journal's tag views ({@code twin-0} …, the
 * historian's slices), after a {@link StreamPosition}, then live as they are written: the
 * events-by-tag query of pekko-persistence-cassandra, one per slice, merged. Each slice keeps its
 * order; the query sees an event once its tag row is older than {@code
 * events-by-tag.eventual-consistency-delay} (2 s), so nothing written out of order is skipped.
 */
public final class JournalEvents {
  /** What the query of a slice hands on. */
  public sealed interface Found permits Journaled, CaughtUp {}

  /**
   * One reading of a journal event, with where it is: slice, offset and index in its event, and the
   * device ({@link DeviceHash}) and the reading's key among its readings ({@link
   * StreamPosition#readingKey}).
   */
  public record Journaled(
      StreamMessage message,
      int slice,
      UUID offset,
      int reading,
      int readings,
      long device,
      long key)
      implements Found {}

  /**
   * The query of {@code slice} reached an event written at or after the time it was asked for (of
   * any organization): whatever the slice held before that time was handed on.
   */
  public record CaughtUp(int slice) implements Found {}

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

  /** The slice {@code device}'s recorded events are tagged with. */
  public int sliceOf(DeviceKey device) {
    return tags.indexOf(DeviceTwin.tagFor(device.entityId()));
  }

  /**
   * What {@code org}'s devices recorded after {@code from} and passes {@code filter}, unending;
   * with one {@link CaughtUp} per slice once its query reaches what was written at {@code
   * caughtUpAt}.
   */
  public Source<Found, NotUsed> after(
      String org, StreamPosition from, StreamFilter filter, Instant caughtUpAt) {
    return Source.from(IntStream.range(0, tags.size()).boxed().toList())
        .flatMapMerge(tags.size(), slice -> slice(slice, org, from, filter, caughtUpAt));
  }

  private Source<Found, NotUsed> slice(
      int slice, String org, StreamPosition from, StreamFilter filter, Instant caughtUpAt) {
    UUID offset = from.offset(slice);
    int delivered = from.delivered(slice);
    long caughtUpMillis = caughtUpAt.toEpochMilli();
    Function<EventEnvelope, List<Journaled>> readings = e -> readings(e, slice, org, filter);
    // part of the event at the offset was delivered: read it again and skip what was;
    // otherwise the offset is exclusive and the query starts with the next event of the slice
    UUID start =
        delivered == StreamPosition.ALL
            ? offset
            : Uuids.startOf(StreamPosition.unixMillis(offset) - 1);
    return journal()
        .eventsByTag(tags.get(slice), new TimeBasedUUID(start))
        .statefulMapConcat(
            () -> {
              boolean[] seeking = {delivered != StreamPosition.ALL};
              boolean[] caughtUp = {StreamPosition.unixMillis(offset) >= caughtUpMillis};
              return envelope -> {
                UUID at = ((TimeBasedUUID) envelope.offset()).value();
                List<Found> found = new ArrayList<>(1);
                if (!caughtUp[0] && StreamPosition.unixMillis(at) >= caughtUpMillis) {
                  caughtUp[0] = true;
                  found.add(new CaughtUp(slice));
                }
                List<Journaled> all = readings.apply(envelope);
                if (seeking[0]) {
                  if (at.equals(offset)) {
                    seeking[0] = false;
                    all = all.stream().filter(j -> j.reading() >= delivered).toList();
                  } else if (at.timestamp() > offset.timestamp()) {
                    seeking[0] = false; // the event at the offset is gone; what follows is new
                  } else {
                    all = List.of();
                  }
                }
                found.addAll(all);
                return found;
              };
            });
  }

  private static List<Journaled> readings(
      EventEnvelope envelope, int slice, String org, StreamFilter filter) {
    List<EventRecorded> recorded = TwinJournal.readingsIn(envelope.event());
    if (recorded.isEmpty()) {
      return List.of();
    }
    DeviceKey device = TwinJournal.deviceOf(envelope.persistenceId());
    if (!device.org().equals(org)) {
      return List.of();
    }
    UUID offset = ((TimeBasedUUID) envelope.offset()).value();
    long deviceHash = DeviceHash.of(device.entityId());
    List<Journaled> readings = new ArrayList<>(recorded.size());
    for (int index = 0; index < recorded.size(); index++) {
      StreamMessage message = StreamMessage.event(device, recorded.get(index));
      if (message.passes(filter)) {
        readings.add(
            new Journaled(
                message,
                slice,
                offset,
                index,
                recorded.size(),
                deviceHash,
                StreamPosition.readingKey(envelope.sequenceNr(), index)));
      }
    }
    return readings;
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

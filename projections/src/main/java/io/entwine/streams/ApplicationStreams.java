package io.entwine.streams;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.entwine.live.LiveFeed;
import io.entwine.live.LiveMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application's stream of its organization's messages (docs/adr/0053): recorded device events
 * from the journal after a position, then as they are written; device status, queued commands and
 * state changes live from the organization's {@link LiveFeed} (they are not in the journal's tag
 * views, so a resume does not bring them back). Every message carries the position after the last
 * journal event delivered; what waits for a slow client is bounded ({@link OverflowGuard}).
 */
public final class ApplicationStreams {
  private static final Logger log = LoggerFactory.getLogger(ApplicationStreams.class);
  private final ActorSystem<?> system;
  private final JournalEvents journal;
  private final Clock clock;

  public ApplicationStreams(ActorSystem<?> system) {
    this(system, new JournalEvents(system), Clock.systemUTC());
  }

  ApplicationStreams(ActorSystem<?> system, JournalEvents journal, Clock clock) {
    this.system = system;
    this.journal = journal;
    this.clock = clock;
  }

  /** The position of a stream that starts now: what is written from now on. */
  public StreamPosition now() {
    return StreamPosition.after(Uuids.startOf(clock.millis()), journal.slices());
  }

  /**
   * The position {@code lastEventId} names, if it is one this stream can resume from.
   *
   * @throws StreamFilter.InvalidFilter when it is not a position or older than {@code maxAge}
   */
  public StreamPosition resumeFrom(String lastEventId, Duration maxAge) {
    StreamPosition position = StreamPosition.decode(lastEventId, journal.slices());
    Instant limit = clock.instant().minus(maxAge);
    if (position.oldest().isBefore(limit)) {
      throw new StreamFilter.InvalidFilter(
          "The position is older than the "
              + maxAge.toHours()
              + " h a stream can resume from; connect without Last-Event-ID (or lastEventId)");
    }
    return position;
  }

  /**
   * {@code org}'s messages that pass {@code filter}, after {@code from}, then live; unending but
   * for an {@link Delivery.Overflow}, and with a {@link Delivery.Heartbeat} after each {@code
   * heartbeat} without a message. Journal events follow the client's pace (the query reads no
   * further ahead than its own buffer); live messages, which cannot wait, are held up to {@code
   * buffer} for a client that reads too slowly, and beyond that the stream ends with an overflow
   * naming the last id handed on.
   */
  public Source<Delivery, NotUsed> stream(
      String org, StreamFilter filter, StreamPosition from, int buffer, Duration heartbeat) {
    Source<Object, NotUsed> journaled =
        filter.wants(StreamKind.EVENT)
            ? journal
                .after(org, from, filter)
                .map(j -> (Object) j)
                .watchTermination(this::logFailure)
            : Source.never();
    boolean wantsLive =
        filter.wants(StreamKind.STATUS)
            || filter.wants(StreamKind.COMMAND)
            || filter.wants(StreamKind.STATE);
    Source<Object, NotUsed> live =
        wantsLive
            ? live(org, buffer).map(m -> (Object) m).via(new OverflowGuard<>(buffer, OVERFLOWED))
            : Source.never();
    return journaled
        .merge(live)
        .statefulMapConcat(
            () -> {
              Handed handed = new Handed(from);
              return element -> handed.next(element, filter);
            })
        .takeWhile(delivery -> !(delivery instanceof Delivery.Overflow), true)
        .keepAlive(heartbeat, Delivery.Heartbeat::new);
  }

  /** The live side dropped messages for a slow client. */
  private static final Object OVERFLOWED = new Object();

  /** Where a stream is: the position after the journal events handed on, and its last id. */
  private final class Handed {
    private StreamPosition position;
    private String lastId;

    Handed(StreamPosition from) {
      this.position = from;
      this.lastId = from.encode();
    }

    List<Delivery> next(Object element, StreamFilter filter) {
      if (element == OVERFLOWED) {
        return List.of(new Delivery.Overflow(lastId));
      }
      if (element instanceof JournalEvents.Journaled j) {
        position = position.advanced(j.slice(), j.offset(), j.reading(), j.readings());
        lastId = position.encode();
        return List.of(new Delivery.Message(j.message(), lastId));
      }
      Optional<StreamMessage> message =
          StreamMessage.ofLive((LiveMessage) element, clock.instant());
      if (message.isEmpty() || !message.get().passes(filter)) {
        return List.of();
      }
      return List.of(new Delivery.Message(message.get(), lastId));
    }
  }

  private NotUsed logFailure(NotUsed notUsed, CompletionStage<Done> done) {
    done.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            // the client reconnects with its last id; the reason is for the operator
            log.warn("An application stream's journal query failed: {}", failure.toString());
          }
        });
    return notUsed;
  }

  /** The organization's live feed from now; the subscription ends with the stream. */
  private Source<LiveMessage, NotUsed> live(String org, int buffer) {
    return Source.<LiveMessage>actorRef(
            message -> Optional.empty(),
            message -> Optional.empty(),
            buffer,
            OverflowStrategy.fail())
        .mapMaterializedValue(
            ref -> {
              LiveFeed.get(system).subscribe(org, Adapter.toTyped(ref));
              return NotUsed.getInstance();
            });
  }
}

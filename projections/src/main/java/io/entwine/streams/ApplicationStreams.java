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
 * from the journal after a position, then as they are written, handed on from the organization's
 * {@link LiveFeed} as soon as it brings them when the rules of {@link EarlyReadings} allow
 * (docs/adr/0061); device status, queued commands and state changes live from the feed (they are
 * not in the journal's tag views, so a resume does not bring them back). Every message carries the
 * position after what was handed on; what waits for a slow client is bounded ({@link
 * OverflowGuard}).
 */
public final class ApplicationStreams {
  private static final Logger log = LoggerFactory.getLogger(ApplicationStreams.class);

  /** Devices with readings handed on ahead of the query at once, at most: bounds the id's size. */
  static final int MAX_EARLY_DEVICES = 64;

  private static final String CONSISTENCY_DELAY =
      "pekko.persistence.cassandra.events-by-tag.eventual-consistency-delay";

  private final ActorSystem<?> system;
  private final JournalEvents journal;
  private final Clock clock;
  private final long freshnessMillis;

  public ApplicationStreams(ActorSystem<?> system) {
    this(system, new JournalEvents(system), Clock.systemUTC());
  }

  ApplicationStreams(ActorSystem<?> system, JournalEvents journal, Clock clock) {
    this.system = system;
    this.journal = journal;
    this.clock = clock;
    // the query waits this long after each write; a live reading younger than half of it cannot
    // have been brought by the query yet, whatever the clocks of writer and reader say
    this.freshnessMillis =
        system.settings().config().hasPath(CONSISTENCY_DELAY)
            ? system.settings().config().getDuration(CONSISTENCY_DELAY).toMillis() / 2
            : 0;
  }

  /** The position of a stream that starts now: what is written from now on. */
  public StreamPosition now() {
    return StreamPosition.after(Uuids.startOf(clock.millis()), journal.slices()).asFresh();
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
    boolean wantsEvents = filter.wants(StreamKind.EVENT);
    // Until the query of a slice has passed this, what it brings of a resumed stream may be older
    // than what the live feed brings.
    Instant caughtUpAt = clock.instant();
    Source<Object, NotUsed> journaled =
        wantsEvents
            ? journal
                .after(org, from, filter, caughtUpAt)
                .map(j -> (Object) j)
                .watchTermination(this::logFailure)
            : Source.never();
    Source<Object, NotUsed> live =
        live(org, buffer)
            .filter(m -> wantsEvents || !(m instanceof LiveMessage.DeviceEvent))
            .map(m -> (Object) m)
            // a device event dropped here reaches the client from the journal
            .via(
                new OverflowGuard<>(buffer, OVERFLOWED, m -> m instanceof LiveMessage.DeviceEvent));
    return journaled
        .merge(live)
        .statefulMapConcat(
            () -> {
              Handed handed =
                  new Handed(
                      new EarlyReadings(
                          from,
                          filter,
                          journal::sliceOf,
                          caughtUpAt,
                          freshnessMillis,
                          MAX_EARLY_DEVICES));
              return element -> handed.next(element, filter);
            })
        .takeWhile(delivery -> !(delivery instanceof Delivery.Overflow), true)
        .keepAlive(heartbeat, Delivery.Heartbeat::new);
  }

  /** The live side dropped messages for a slow client. */
  private static final Object OVERFLOWED = new Object();

  /** Where a stream is: its device events ({@link EarlyReadings}) and the last id handed on. */
  private final class Handed {
    private final EarlyReadings events;
    private String lastId;

    Handed(EarlyReadings events) {
      this.events = events;
      this.lastId = events.position().encode();
    }

    List<Delivery> next(Object element, StreamFilter filter) {
      if (element == OVERFLOWED) {
        return List.of(new Delivery.Overflow(lastId));
      }
      if (element instanceof JournalEvents.CaughtUp caughtUp) {
        events.caughtUp(caughtUp.slice());
        return List.of();
      }
      if (element instanceof JournalEvents.Journaled j) {
        return event(events.journaled(j));
      }
      if (element instanceof LiveMessage.DeviceEvent event) {
        return event(events.live(event, clock.millis()));
      }
      Optional<StreamMessage> message =
          StreamMessage.ofLive((LiveMessage) element, clock.instant());
      if (message.isEmpty() || !message.get().passes(filter)) {
        return List.of();
      }
      return List.of(new Delivery.Message(message.get(), lastId));
    }

    private List<Delivery> event(Optional<StreamMessage> message) {
      if (message.isEmpty()) {
        return List.of();
      }
      lastId = events.position().encode();
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

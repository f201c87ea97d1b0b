package io.entwine.twin;

import static io.entwine.twin.DeviceTwin.EFFECT;

import io.entwine.live.LiveMessage;
import io.entwine.metrics.StageClock;
import io.entwine.protocol.Rejection;
import io.entwine.protocol.Reply;
import io.entwine.twin.TwinCommand.EventPart;
import io.entwine.twin.TwinCommand.GetLastEvents;
import io.entwine.twin.TwinCommand.Reading;
import io.entwine.twin.TwinCommand.RecordApplicationEvent;
import io.entwine.twin.TwinCommand.RecordEvent;
import io.entwine.twin.TwinCommand.RecordEvents;
import io.entwine.twin.TwinCommand.RecordVerifiedEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.NonceUsed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The events a device sends (its readings), however the sender was authenticated, and the last
 * event per event id. A reading is acknowledged after it is persisted, then handed to live
 * subscribers. Who may send is checked before, by the guards the table puts in front of these
 * handlers ({@link CredentialHandlers#tokenAccepted}, {@link Replies#senderAccepted}).
 */
final class ReadingHandlers {
  private static final int READINGS = DeviceTwin.READINGS_PER_EVENT;

  private ReadingHandlers() {}

  static ReplyEffect<TwinEvent, TwinState> onRecordEvent(
      DeviceTwin twin, TwinState state, RecordEvent command) {
    return record(twin, List.of(), command.event(), command.event().qos(), command.replyTo());
  }

  static ReplyEffect<TwinEvent, TwinState> onRecordEvents(
      DeviceTwin twin, TwinState state, RecordEvents command) {
    long arrivedAt = StageClock.now();
    List<EventRecorded> recorded = new ArrayList<>(command.events().size());
    for (EventPart part : command.events()) {
      recorded.add(recorded(part));
    }
    List<TwinEvent> events = inJournalEvents(recorded);
    long handedAt = StageClock.now();
    return EFFECT
        .persist(events)
        .thenRun(
            after -> {
              long lastSequenceNr = twin.lastSequenceNr();
              long firstSequenceNr = lastSequenceNr - (recorded.size() - 1) / READINGS;
              long firstNumber = after.eventCount() - recorded.size() + 1;
              long writtenAt = System.currentTimeMillis();
              for (int i = 0; i < recorded.size(); i++) {
                LiveMessage.Journaled journaled =
                    new LiveMessage.Journaled(
                        firstSequenceNr + i / READINGS, i % READINGS, firstNumber + i, writtenAt);
                twin.publish(live(twin, recorded.get(i), command.events().get(i).qos(), journaled));
              }
            })
        .thenReply(
            command.replyTo(), after -> new Reply.Done(arrivedAt, handedAt, StageClock.now()));
  }

  /** {@code readings} as few journal events as {@link DeviceTwin#READINGS_PER_EVENT} allows. */
  static List<TwinEvent> inJournalEvents(List<EventRecorded> readings) {
    if (readings.size() == 1) {
      return List.of(readings.get(0));
    }
    List<TwinEvent> events = new ArrayList<>(readings.size() / DeviceTwin.READINGS_PER_EVENT + 1);
    for (int start = 0; start < readings.size(); start += DeviceTwin.READINGS_PER_EVENT) {
      int end = Math.min(start + DeviceTwin.READINGS_PER_EVENT, readings.size());
      events.add(new EventsRecorded(List.copyOf(readings.subList(start, end))));
    }
    return events;
  }

  static ReplyEffect<TwinEvent, TwinState> onRecordApplicationEvent(
      DeviceTwin twin, TwinState state, RecordApplicationEvent command) {
    return record(twin, List.of(), command.event(), command.event().qos(), command.replyTo());
  }

  /**
   * An event of a sender the edge authenticated (Hono, Tencent, a gateway); a Tencent nonce is
   * persisted with it, and refused when seen within the nonce window.
   */
  static ReplyEffect<TwinEvent, TwinState> onRecordVerifiedEvent(
      DeviceTwin twin, TwinState state, RecordVerifiedEvent command) {
    Instant now = Instant.now();
    List<TwinEvent> before = List.of();
    if (command.nonce() != null) {
      if (state.nonceSeen(command.nonce(), now)) {
        return EFFECT.reply(
            command.replyTo(),
            new Reply.Rejected(
                Rejection.ALREADY_EXISTS,
                "Nonce '" + command.nonce() + "' was already used; sign with a new one"));
      }
      before =
          List.of(new NonceUsed(command.nonce(), now, now.plus(twin.settings().nonceWindow())));
    }
    twin.waiters().sentThrough(twin.device().equals(command.gateway()) ? null : command.gateway());
    return record(
        twin, before, command, LiveMessage.DeviceEvent.ACKNOWLEDGED_QOS, command.replyTo());
  }

  static ReplyEffect<TwinEvent, TwinState> onGetLastEvents(
      DeviceTwin twin, TwinState state, GetLastEvents command) {
    if (!state.isRegistered()) {
      return EFFECT.reply(command.replyTo(), Replies.notFound(twin.device()));
    }
    if (command.eventId() == null) {
      List<Reply.LastEvent> all =
          state.lastEvents().values().stream()
              .sorted(Comparator.comparing(Reply.LastEvent::eventId))
              .toList();
      return EFFECT.reply(command.replyTo(), new Reply.LastEvents(all));
    }
    Reply.LastEvent last = state.lastEvents().get(command.eventId());
    if (last == null) {
      return EFFECT.reply(
          command.replyTo(),
          new Reply.Rejected(
              Rejection.NOT_FOUND,
              "No event '" + command.eventId() + "' was received from " + twin.device().uuid()));
    }
    return EFFECT.reply(command.replyTo(), new Reply.LastEvents(List.of(last)));
  }

  /**
   * Persists {@code before} (e.g. a used nonce) and the event in one write; live subscribers get it
   * at most at {@code qos}.
   */
  private static ReplyEffect<TwinEvent, TwinState> record(
      DeviceTwin twin, List<TwinEvent> before, Reading reading, int qos, ActorRef<Reply> replyTo) {
    long arrivedAt = StageClock.now();
    EventRecorded recorded = recorded(reading);
    List<TwinEvent> events = new ArrayList<>(before);
    events.add(recorded);
    long handedAt = StageClock.now();
    return EFFECT
        .persist(events)
        .thenRun(
            after ->
                twin.publish(
                    live(
                        twin,
                        recorded,
                        qos,
                        new LiveMessage.Journaled(
                            twin.lastSequenceNr(),
                            0,
                            after.eventCount(),
                            System.currentTimeMillis()))))
        // the stamps say where a slow acknowledgement spent its time (docs/adr/0079)
        .thenReply(replyTo, after -> new Reply.Done(arrivedAt, handedAt, StageClock.now()));
  }

  private static EventRecorded recorded(Reading reading) {
    Instant arrival = reading.receivedAt() != null ? reading.receivedAt() : Instant.now();
    return new EventRecorded(
        reading.eventId(),
        reading.format(),
        reading.payload(),
        reading.timestamp() != null ? reading.timestamp() : arrival,
        arrival);
  }

  private static LiveMessage.DeviceEvent live(
      DeviceTwin twin, EventRecorded recorded, int qos, LiveMessage.Journaled journaled) {
    return new LiveMessage.DeviceEvent(
        twin.device().org(),
        twin.device().type(),
        twin.device().id(),
        recorded.eventId(),
        recorded.format(),
        recorded.payload(),
        recorded.timestamp(),
        qos,
        journaled);
  }
}

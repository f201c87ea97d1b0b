package io.entwine.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.entwine.identity.DeviceKey;
import io.entwine.live.LiveMessage;
import io.entwine.twin.TwinEvent.EventRecorded;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A stream that gets each reading twice, from the live feed and later from the journal's query,
 * hands each on once, and a client that resumes from any id it was sent gets each of the others
 * once: simulated over random timings, losses on the live feed and disconnects.
 */
class EarlyReadingsTest {
  private static final String ORG = "acme";
  private static final int SLICES = 2;
  private static final long QUERY_DELAY = 2_000;
  private static final long FRESHNESS = QUERY_DELAY / 2;
  private static final long T0 = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

  /** One reading as a device's twin wrote it. */
  private record Written(
      DeviceKey device, long sequenceNr, int reading, int readings, long number, long at) {
    String text() {
      return device.id() + "#" + number;
    }

    UUID offset() {
      return Uuids.startOf(at); // one write per millisecond: offsets are distinct
    }
  }

  /** Something reaching the stream at a time: a reading from the query or from the live feed. */
  private record Arrival(long at, int order, Written written, boolean live) {}

  private static int sliceOf(DeviceKey device) {
    return Math.floorMod(device.id().hashCode(), SLICES);
  }

  private static EarlyReadings stream(StreamPosition from, long startedAt, int maxRuns) {
    return new EarlyReadings(
        from,
        StreamFilter.EVERYTHING,
        EarlyReadingsTest::sliceOf,
        Instant.ofEpochMilli(startedAt),
        FRESHNESS,
        maxRuns);
  }

  private static JournalEvents.Journaled journaled(Written w) {
    return new JournalEvents.Journaled(
        StreamMessage.event(w.device(), recorded(w)),
        sliceOf(w.device()),
        w.offset(),
        w.reading(),
        w.readings(),
        DeviceHash.of(w.device().entityId()),
        StreamPosition.readingKey(w.sequenceNr(), w.reading()));
  }

  private static LiveMessage.DeviceEvent live(Written w) {
    return new LiveMessage.DeviceEvent(
        ORG,
        w.device().type(),
        w.device().id(),
        "e",
        "text",
        w.text().getBytes(StandardCharsets.UTF_8),
        Instant.ofEpochMilli(w.at()),
        1,
        new LiveMessage.Journaled(w.sequenceNr(), w.reading(), w.number(), w.at()));
  }

  private static EventRecorded recorded(Written w) {
    Instant at = Instant.ofEpochMilli(w.at());
    return new EventRecorded("e", "text", w.text().getBytes(StandardCharsets.UTF_8), at, at);
  }

  private static String text(StreamMessage message) {
    return new String(
        java.util.Base64.getDecoder().decode(message.data().get("payload").asText()),
        StandardCharsets.UTF_8);
  }

  /** Devices writing readings, one per millisecond at most, some several in one journal event. */
  private static List<Written> writes(Random random, int devices, int count, long from) {
    Map<DeviceKey, long[]> counters = new HashMap<>(); // sequence number, reading number
    List<Written> all = new ArrayList<>();
    long at = from;
    while (all.size() < count) {
      DeviceKey device = new DeviceKey(ORG, "t", "d" + random.nextInt(devices));
      long[] counter = counters.computeIfAbsent(device, d -> new long[] {1, 0});
      counter[0]++; // a journal event of its own
      if (random.nextInt(5) == 0) {
        counter[0]++; // an event that is not a reading (a command, a nonce) takes a number too
      }
      int readings = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1;
      at += 1 + random.nextInt(20);
      for (int i = 0; i < readings; i++) {
        counter[1]++;
        all.add(new Written(device, counter[0], i, readings, counter[1], at));
      }
    }
    return all;
  }

  /**
   * What reaches a stream running from {@code start}: the query's readings after {@code from} in
   * slice order, seconds late; live readings written after the start, milliseconds late, in each
   * device's order, some lost.
   */
  private static List<Arrival> arrivals(
      Random random, List<Written> writes, StreamPosition from, long start, double loss) {
    List<Arrival> arrivals = new ArrayList<>();
    long[] sliceClock = new long[SLICES];
    Map<DeviceKey, Long> liveClock = new HashMap<>();
    int order = 0;
    for (Written w : writes) {
      int slice = sliceOf(w.device());
      UUID offset = from.offset(slice);
      boolean after =
          w.offset().timestamp() > offset.timestamp()
              || (w.offset().equals(offset)
                  && from.delivered(slice) != StreamPosition.ALL
                  && w.reading() >= from.delivered(slice));
      if (after) {
        long at =
            Math.max(sliceClock[slice], Math.max(start, w.at() + QUERY_DELAY))
                + random.nextInt(3) * 500L;
        sliceClock[slice] = at;
        arrivals.add(new Arrival(at, order++, w, false));
      }
      if (w.at() >= start && random.nextDouble() >= loss) {
        long at = Math.max(liveClock.getOrDefault(w.device(), 0L), w.at() + random.nextInt(40));
        liveClock.put(w.device(), at);
        arrivals.add(new Arrival(at, order++, w, true));
      }
    }
    arrivals.sort(Comparator.comparingLong(Arrival::at).thenComparingInt(Arrival::order));
    return arrivals;
  }

  /** What a stream hands on up to {@code until}: each message's text and the id sent with it. */
  private static List<String[]> run(EarlyReadings stream, List<Arrival> arrivals, long until) {
    List<String[]> handed = new ArrayList<>();
    for (Arrival arrival : arrivals) {
      if (arrival.at() > until) {
        break;
      }
      Optional<StreamMessage> message =
          arrival.live()
              ? stream.live(live(arrival.written()), arrival.at())
              : stream.journaled(journaled(arrival.written()));
      message.ifPresent(m -> handed.add(new String[] {text(m), stream.position().encode()}));
    }
    return handed;
  }

  private static void assertEachOnceAcrossAResume(long seed, double loss, int maxRuns) {
    Random random = new Random(seed);
    List<Written> writes = writes(random, 1 + random.nextInt(12), 400, T0);
    long end = writes.get(writes.size() - 1).at() + 10_000;
    StreamPosition start = StreamPosition.after(Uuids.startOf(T0 - 1), SLICES).asFresh();
    long disconnect = T0 + random.nextInt((int) (end - T0 - 10_000));

    List<String[]> first =
        run(stream(start, T0, maxRuns), arrivals(random, writes, start, T0, loss), disconnect);
    String lastId = first.isEmpty() ? start.encode() : first.get(first.size() - 1)[1];
    StreamPosition resumed = StreamPosition.decode(lastId, SLICES);
    long reconnect = disconnect + random.nextInt(5_000);
    List<String[]> second =
        run(
            stream(resumed, reconnect, maxRuns),
            arrivals(random, writes, resumed, reconnect, loss),
            Long.MAX_VALUE);

    List<String> received = new ArrayList<>();
    first.forEach(m -> received.add(m[0]));
    second.forEach(m -> received.add(m[0]));
    List<String> expected = writes.stream().map(Written::text).toList();
    assertEquals(
        expected.stream().sorted().toList(),
        received.stream().sorted().toList(),
        "seed " + seed + ": every reading once");
    if (loss == 0) {
      for (String device : writes.stream().map(w -> w.device().id()).distinct().toList()) {
        assertEquals(
            expected.stream().filter(t -> t.startsWith(device + "#")).toList(),
            received.stream().filter(t -> t.startsWith(device + "#")).toList(),
            "seed " + seed + ": " + device + "'s readings in its order");
      }
    }
  }

  @Test
  void eachReadingOnceAndInItsDevicesOrderAcrossAResume() {
    for (long seed = 0; seed < 200; seed++) {
      assertEachOnceAcrossAResume(seed, 0, ApplicationStreams.MAX_EARLY_DEVICES);
    }
  }

  @Test
  void eachReadingOnceWhenTheLiveFeedLosesSome() {
    for (long seed = 0; seed < 200; seed++) {
      assertEachOnceAcrossAResume(seed, 0.1, ApplicationStreams.MAX_EARLY_DEVICES);
    }
  }

  @Test
  void eachReadingOnceWhenFewDevicesMayBeAhead() {
    for (long seed = 0; seed < 100; seed++) {
      assertEachOnceAcrossAResume(seed, 0.05, 2);
    }
  }

  private static final DeviceKey D1 = new DeviceKey(ORG, "t", "d1");

  /** A resumed stream whose queries have caught up with its start. */
  private static EarlyReadings caughtUpStream() {
    EarlyReadings stream = stream(StreamPosition.after(Uuids.startOf(T0 - 1), SLICES), T0, 64);
    for (int slice = 0; slice < SLICES; slice++) {
      stream.caughtUp(slice);
    }
    return stream;
  }

  @Test
  void aLiveReadingGoesOnAtOnceAndTheQuerySkipsIt() {
    DeviceKey device = D1;
    EarlyReadings stream = caughtUpStream();
    Written first = new Written(device, 2, 0, 1, 1, T0 + 10);
    Written second = new Written(device, 3, 0, 1, 2, T0 + 20);

    assertEquals("d1#1", text(stream.live(live(first), T0 + 12).orElseThrow()));
    assertEquals("d1#2", text(stream.live(live(second), T0 + 22).orElseThrow()));
    assertEquals(1, stream.position().runs().size(), "one run for the device's two readings");
    assertTrue(stream.journaled(journaled(first)).isEmpty(), "the query skips what went early");
    assertTrue(stream.journaled(journaled(second)).isEmpty());
    assertEquals(List.of(), stream.position().runs(), "the query passed the run: it goes");
  }

  @Test
  void aNewStreamHandsOnTheFirstLiveReadingAtOnce() {
    DeviceKey device = new DeviceKey(ORG, "t", "d1");
    StreamPosition start = StreamPosition.after(Uuids.startOf(T0 - 1), SLICES).asFresh();
    Written first = new Written(device, 7, 0, 1, 5, T0 + 10);
    assertEquals("d1#5", text(stream(start, T0, 64).live(live(first), T0 + 11).orElseThrow()));
  }

  @Test
  void aLiveReadingWaitsUntilTheQueryCaughtUpWithTheStart() {
    DeviceKey device = new DeviceKey(ORG, "t", "d1");
    StreamPosition start = StreamPosition.after(Uuids.startOf(T0 - 5_000), SLICES);
    EarlyReadings stream = stream(start, T0, 64);
    Written missed = new Written(device, 2, 0, 1, 1, T0 - 100);
    Written next = new Written(device, 3, 0, 1, 2, T0 + 20);

    assertTrue(stream.live(live(next), T0 + 21).isEmpty(), "the query has older readings to send");
    assertEquals("d1#1", text(stream.journaled(journaled(missed)).orElseThrow()));
    assertEquals("d1#2", text(stream.journaled(journaled(next)).orElseThrow()));
  }

  @Test
  void aLiveReadingTooOldToBeSureOfIsLeftToTheQuery() {
    DeviceKey device = D1;
    EarlyReadings stream = caughtUpStream();
    Written late = new Written(device, 2, 0, 1, 1, T0 + 10);
    Written next = new Written(device, 3, 0, 1, 2, T0 + 20);

    assertTrue(stream.live(live(late), T0 + 10 + FRESHNESS + 1).isEmpty());
    assertTrue(stream.live(live(next), T0 + 21).isEmpty(), "it waits for the one before it");
    assertEquals("d1#1", text(stream.journaled(journaled(late)).orElseThrow()));
    assertEquals("d1#2", text(stream.journaled(journaled(next)).orElseThrow()));
    Written third = new Written(device, 4, 0, 1, 3, T0 + 30);
    assertEquals(
        "d1#3",
        text(stream.live(live(third), T0 + 31).orElseThrow()),
        "once the query brought the one before, the next goes on at once");
  }
}

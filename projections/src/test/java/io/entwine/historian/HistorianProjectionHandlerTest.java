package io.entwine.historian;

import static io.entwine.testing.BatchedProjections.batches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entwine.identity.DeviceKey;
import io.entwine.protocol.Reply;
import io.entwine.testing.BatchedProjections;
import io.entwine.testing.TwinEventHistory;
import io.entwine.twin.DeviceTwin;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import io.entwine.twin.TwinEvent.MetadataUpdated;
import io.entwine.twin.TwinEvent.ReportedStatePatched;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.japi.function.Effect;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.testkit.javadsl.TestProjection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HistorianProjectionHandlerTest {

  @RegisterExtension static final BatchedProjections projections = new BatchedProjections();

  private static final String ORG = "ey67sp";
  private static final DeviceKey PI = new DeviceKey(ORG, "raspberrypi", "1958138a4dfe");
  private static final DeviceKey PI_2 = new DeviceKey(ORG, "raspberrypi", "77aa01");
  private static final DeviceKey MBED = new DeviceKey(ORG, "mbed", "1253138b4dcd");
  private static final Instant T0 = Instant.parse("2026-11-23T10:15:00Z");

  @Test
  void storesEveryRecordedEventWithItsSequenceNumberAndIgnoresOtherEvents() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    TwinEventHistory history =
        new TwinEventHistory(T0)
            .add(PI, new MetadataUpdated(null, T0))
            .add(PI, recorded("status", "{\"d\":{\"temp\":21.5}}", T0))
            .add(MBED, recorded("status", "{\"temp\":3}", T0.plusSeconds(1)))
            .add(PI, text("log", "rebooted", T0.plusSeconds(2)));

    project(
        repository,
        batches(history.envelopes(), 2),
        () -> {
          assertEquals(3, repository.events.size());
          HistoricalEvent log =
              repository.events.get(
                  new InMemoryHistorianRepository.EventKey(PI, HistoricalEvent.readingNr(3, 0)));
          assertEquals("log", log.evtType());
          assertEquals("text", log.format());
          assertEquals(T0.plusSeconds(2).toEpochMilli(), log.timestamp());
          assertEquals("rebooted", new String(log.payload(), StandardCharsets.UTF_8));
        });
  }

  @Test
  void keepsAReportedStatePatchAsAStateEventWhoseNumericLeavesRollUp() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    ObjectNode patch = JsonNodeFactory.instance.objectNode().put("temp", 21.5).putNull("gone");
    TwinEventHistory history =
        new TwinEventHistory(T0)
            .add(PI, new ReportedStatePatched(patch, 1, T0, false))
            .add(PI, new ReportedStatePatched(patch, 2, T0.plusSeconds(1), true));

    project(
        repository,
        batches(history.envelopes(), 2),
        () -> {
          assertEquals(1, repository.events.size(), "a patch made of an event is that event");
          HistoricalEvent state =
              repository.events.get(
                  new InMemoryHistorianRepository.EventKey(PI, HistoricalEvent.readingNr(1, 0)));
          assertEquals("state", state.evtType());
          assertEquals(
              "{\"d\":{\"temp\":21.5,\"gone\":null}}",
              new String(state.payload(), StandardCharsets.UTF_8));
          DeviceRollup temps =
              repository.deviceRollups.get(
                  new DeviceRollup.Key(
                      PI, "state", Buckets.start(T0.toEpochMilli(), Buckets.HOUR), "temp"));
          assertEquals(Stats.of(21.5), temps.stats());
        });
  }

  @Test
  void storesEveryReadingOfAJournalEventHoldingSeveralInOrderAfterTheEventsBeforeIt() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    TwinEventHistory history =
        new TwinEventHistory(T0)
            .add(PI, recorded("status", "{\"temp\":1}", T0))
            .add(
                PI,
                new EventsRecorded(
                    List.of(
                        recorded("status", "{\"temp\":2}", T0.plusSeconds(1)),
                        recorded("status", "{\"temp\":3}", T0.plusSeconds(1)),
                        text("log", "ok", T0.plusSeconds(2)))))
            .add(PI, recorded("status", "{\"temp\":4}", T0.plusSeconds(3)));

    project(
        repository,
        batches(history.envelopes(), 3),
        () -> {
          assertEquals(5, repository.events.size());
          List<Long> readingNrs =
              repository.events.values().stream().map(HistoricalEvent::seqNr).sorted().toList();
          assertEquals(
              List.of(
                  HistoricalEvent.readingNr(1, 0),
                  HistoricalEvent.readingNr(2, 0),
                  HistoricalEvent.readingNr(2, 1),
                  HistoricalEvent.readingNr(2, 2),
                  HistoricalEvent.readingNr(3, 0)),
              readingNrs);
          assertEquals(
              "ok",
              new String(
                  repository
                      .events
                      .get(
                          new InMemoryHistorianRepository.EventKey(
                              PI, HistoricalEvent.readingNr(2, 2)))
                      .payload(),
                  StandardCharsets.UTF_8));
          DeviceRollup temps =
              repository.deviceRollups.get(
                  new DeviceRollup.Key(
                      PI, "status", Buckets.start(T0.toEpochMilli(), Buckets.HOUR), "temp"));
          assertEquals(Stats.of(1).plus(2).plus(3).plus(4), temps.stats());
        });
  }

  @Test
  void rollsUpEveryNumericFieldPerDeviceAndPerTypeByHour() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    List<EventEnvelope<TwinEvent>> history = randomHistory(new Random(7), 300);

    project(
        repository,
        batches(history, 17),
        () -> {
          assertEquals(300, repository.events.size());
          assertRollupsMatch(history, repository);
        });
  }

  @Test
  void replayingFromEarlierOffsetsWithOtherBatchesChangesNoRollup() {
    InMemoryHistorianRepository once = new InMemoryHistorianRepository();
    InMemoryHistorianRepository replayed = new InMemoryHistorianRepository();
    List<EventEnvelope<TwinEvent>> history = randomHistory(new Random(11), 240);
    project(once, batches(history, 20), () -> assertEquals(240, once.events.size()));

    project(replayed, batches(history, 20), () -> assertEquals(240, replayed.events.size()));
    int writesBefore = replayed.writes();
    // restarts whose stored offsets were at envelope 100, then 31, then at the very beginning
    for (int from : List.of(100, 31, 0)) {
      int replayedWrites = replayed.writes();
      List<List<EventEnvelope<TwinEvent>>> batches =
          batches(history.subList(from, history.size()), 7 + from % 5);
      project(replayed, batches, () -> assertTrue(replayed.writes() > replayedWrites));
    }

    assertTrue(replayed.writes() > writesBefore);
    assertEquals(once.deviceRollups, replayed.deviceRollups);
    assertEquals(once.typeTotals(), replayed.typeTotals());
    assertRollupsMatch(history, replayed);
  }

  @Test
  void aProjectionKilledMidBatchAndRestartedFromAnEarlierOffsetCountsEachEventOnce() {
    List<EventEnvelope<TwinEvent>> history = randomHistory(new Random(5), 200);
    InMemoryHistorianRepository clean = new InMemoryHistorianRepository();
    project(clean, batches(history, 25), () -> assertEquals(200, clean.events.size()));

    for (int crashAfter : List.of(1, 40, 333, 517)) {
      InMemoryHistorianRepository crashed = new InMemoryHistorianRepository();
      crashed.crashAfterWrites(crashAfter);
      List<List<EventEnvelope<TwinEvent>>> batches = batches(history, 25);
      projections
          .testKit()
          .runWithTestSink(
              projection(crashed, batches),
              sink -> {
                sink.request(batches.size());
                // batches before the crash complete; then the projection stops with the failure
                while (sink.expectNextOrError().isRight()) {
                  // next batch
                }
              });
      assertEquals(crashAfter, crashed.writes());

      // restarted from the offset of a batch before the one that crashed
      crashed.recover();
      int restartBatch = Math.max(0, firstMissing(history, crashed) / 25 - 1);
      List<EventEnvelope<TwinEvent>> rest = history.subList(restartBatch * 25, history.size());
      project(crashed, batches(rest, 30), () -> assertEquals(200, crashed.events.size()));

      assertEquals(clean.deviceRollups, crashed.deviceRollups, "crash after " + crashAfter);
      assertEquals(clean.typeTotals(), crashed.typeTotals(), "crash after " + crashAfter);
    }
  }

  @Test
  void aHandlerWhoseBatchFailedPartwayCountsTheBatchOnceWhenItIsRetried() {
    List<EventEnvelope<TwinEvent>> history = randomHistory(new Random(3), 120);
    InMemoryHistorianRepository clean = new InMemoryHistorianRepository();
    HistorianProjectionHandler cleanHandler = new HistorianProjectionHandler(clean);
    int half = history.size() / 2;
    cleanHandler.process(history.subList(0, half)).toCompletableFuture().join();
    cleanHandler.process(history.subList(half, history.size())).toCompletableFuture().join();

    InMemoryHistorianRepository failing = new InMemoryHistorianRepository();
    HistorianProjectionHandler handler = new HistorianProjectionHandler(failing);
    handler.process(history.subList(0, half)).toCompletableFuture().join();
    failing.crashAfterWrites(150);
    assertThrows(
        CompletionException.class,
        () -> handler.process(history.subList(half, history.size())).toCompletableFuture().join(),
        "the batch fails part-way");
    failing.recover();
    handler.process(history.subList(half, history.size())).toCompletableFuture().join();

    assertEquals(clean.deviceRollups, failing.deviceRollups);
    assertEquals(clean.typeTotals(), failing.typeTotals());
  }

  // ---- expectations, computed without the handler ----

  /** Every roll-up equals the statistics of the raw events it covers, and nothing else exists. */
  private static void assertRollupsMatch(
      List<EventEnvelope<TwinEvent>> history, InMemoryHistorianRepository repository) {
    Map<DeviceRollup.Key, Stats> byDevice = new HashMap<>();
    Map<List<Object>, Stats> byType = new HashMap<>();
    for (HistoricalEvent event : HistorianProjectionHandler.readings(history)) {
      long hour = Buckets.start(event.timestamp(), Buckets.HOUR);
      NumericFields.of(event.format(), event.payload())
          .forEach(
              (field, value) -> {
                byDevice.merge(
                    new DeviceRollup.Key(event.device(), event.evtType(), hour, field),
                    Stats.of(value),
                    Stats::plus);
                byType.merge(
                    List.of(
                        event.device().org(), event.device().type(), event.evtType(), hour, field),
                    Stats.of(value),
                    Stats::plus);
              });
    }
    Map<DeviceRollup.Key, Stats> actual = new HashMap<>();
    repository.deviceRollups.forEach((key, rollup) -> actual.put(key, rollup.stats()));
    assertEquals(byDevice, actual);
    assertEquals(byType, repository.typeTotals());
  }

  /** The index of the first event the crashed run did not store (its batch or an earlier one). */
  private static int firstMissing(
      List<EventEnvelope<TwinEvent>> history, InMemoryHistorianRepository repository) {
    for (int i = 0; i < history.size(); i++) {
      EventEnvelope<TwinEvent> envelope = history.get(i);
      DeviceKey device =
          DeviceKey.fromEntityId(PersistenceId.extractEntityId(envelope.persistenceId()));
      if (!repository.events.containsKey(
          new InMemoryHistorianRepository.EventKey(
              device, HistoricalEvent.readingNr(envelope.sequenceNr(), 0)))) {
        return i;
      }
    }
    return history.size();
  }

  // ---- helpers ----

  @Test
  void writesEachOrganizationsRowsWithTheTtlsOfItsRetention() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    DeviceKey other = new DeviceKey("other1", "raspberrypi", "1958138a4dfe");
    HistorianRetention retention =
        org ->
            CompletableFuture.completedFuture(
                ORG.equals(org)
                    ? new Reply.HistoryRetention(3_600, 86_400)
                    : Reply.HistoryRetention.UNLIMITED);
    HistorianProjectionHandler handler = new HistorianProjectionHandler(repository, retention);

    handler
        .process(
            new TwinEventHistory(T0)
                .add(PI, recorded("status", "{\"temp\":1}", T0))
                .add(other, recorded("status", "{\"temp\":2}", T0))
                .envelopes())
        .toCompletableFuture()
        .join();

    assertEquals(Map.of(ORG, 3_600, "other1", 0), repository.rawEventTtls);
    assertEquals(Map.of(ORG, 86_400, "other1", 0), repository.rollupTtls);
  }

  @Test
  void aBatchWhoseRetentionCannotBeLearnedFailsAndWritesNothing() {
    InMemoryHistorianRepository repository = new InMemoryHistorianRepository();
    HistorianProjectionHandler handler =
        new HistorianProjectionHandler(
            repository,
            org -> CompletableFuture.failedFuture(new IllegalStateException("no answer")));

    assertThrows(
        CompletionException.class,
        () ->
            handler
                .process(
                    new TwinEventHistory(T0)
                        .add(PI, recorded("status", "{\"temp\":1}", T0))
                        .envelopes())
                .toCompletableFuture()
                .join());
    assertEquals(0, repository.writes());
  }

  private static void project(
      InMemoryHistorianRepository repository,
      List<List<EventEnvelope<TwinEvent>>> batches,
      Effect assertion) {
    projections.run(projection(repository, batches), assertion);
  }

  private static TestProjection<Offset, List<EventEnvelope<TwinEvent>>> projection(
      InMemoryHistorianRepository repository, List<List<EventEnvelope<TwinEvent>>> batches) {
    return BatchedProjections.projection(
        ProjectionId.of(HistorianProjection.NAME, DeviceTwin.RECORDED_TAGS.get(0)),
        batches,
        () -> new HistorianProjectionHandler(repository));
  }

  /**
   * Events of three devices (two types) over about five hours, their timestamps out of order (a
   * device may report late), IOTF and custom JSON with nested and inexact binary values, and some
   * text events.
   */
  private static List<EventEnvelope<TwinEvent>> randomHistory(Random random, int count) {
    TwinEventHistory history = new TwinEventHistory(T0);
    List<DeviceKey> devices = List.of(PI, PI_2, MBED);
    Map<DeviceKey, List<EventRecorded>> batches = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      DeviceKey device = devices.get(random.nextInt(devices.size()));
      Instant at = T0.plusSeconds(random.nextInt(5 * 3600));
      String evtType = random.nextBoolean() ? "status" : "power";
      double temp = Math.round(random.nextGaussian() * 1000) / 100.0;
      double up = random.nextDouble();
      String payload =
          switch (random.nextInt(4)) {
            case 0 -> "{\"d\":{\"temp\":" + temp + ",\"network\":{\"up\":" + up + "}}}";
            case 1 -> "{\"temp\":" + temp + ",\"cpu\":" + random.nextInt(100) + ",\"on\":true}";
            case 2 -> "{\"d\":{\"temp\":" + temp + "},\"ts\":\"" + at + "\"}";
            default -> "";
          };
      EventRecorded reading =
          payload.isEmpty() ? text(evtType, "t=" + temp, at) : recorded(evtType, payload, at);
      // A third of the readings come in journal events holding several, as MQTT pipelines them.
      List<EventRecorded> batch = batches.computeIfAbsent(device, d -> new ArrayList<>());
      if (!batch.isEmpty() || random.nextInt(3) == 0) {
        batch.add(reading);
        if (batch.size() == 4 || random.nextInt(3) == 0) {
          history.add(device, new EventsRecorded(List.copyOf(batch)));
          batch.clear();
        }
      } else {
        history.add(device, reading);
      }
    }
    batches.forEach(
        (device, batch) -> {
          if (!batch.isEmpty()) {
            history.add(device, new EventsRecorded(List.copyOf(batch)));
          }
        });
    return history.envelopes();
  }

  private static EventRecorded recorded(String evtType, String json, Instant at) {
    return new EventRecorded(evtType, "json", json.getBytes(StandardCharsets.UTF_8), at, at);
  }

  private static EventRecorded text(String evtType, String text, Instant at) {
    return new EventRecorded(evtType, "text", text.getBytes(StandardCharsets.UTF_8), at, at);
  }
}

package io.entwine.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.entwine.identity.DeviceKey;
import io.entwine.testing.TwinEventHistory;
import io.entwine.twin.TwinEvent;
import io.entwine.twin.TwinEvent.EventRecorded;
import io.entwine.twin.TwinEvent.EventsRecorded;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.Test;

class UsageRecorderTest {
  private static final Instant DAY1 = Instant.parse("2026-12-01T23:59:00Z");
  private static final Instant DAY2 = Instant.parse("2026-12-02T00:01:00Z");
  private static final DeviceKey A = new DeviceKey("acme", "pi", "a");
  private static final DeviceKey B = new DeviceKey("acme", "pi", "b");
  private static final DeviceKey ELSEWHERE = new DeviceKey("other", "pi", "a");

  private final InMemoryUsageRepository repository = new InMemoryUsageRepository();
  private final Usage usage = new Usage(repository);

  @Test
  void countsReadingsAndBytesPerDeviceAndDayOfArrival() {
    record(new UsageRecorder(repository), history());

    Usage.Report traffic = report(true);
    Usage.Report active = report(false);

    assertEquals(100, traffic.total());
    assertEquals(List.of(30L, 70L), totals(traffic));
    assertEquals(50, traffic.average());
    assertEquals(2, active.total(), "a and b, distinct over both days");
    assertEquals(List.of(1L, 2L), totals(active));
    assertEquals(1, active.average(), "rounded down");
  }

  @Test
  void replayedEnvelopesInOtherBatchesAreNotCountedAgain() {
    List<EventEnvelope<TwinEvent>> history = history();
    record(new UsageRecorder(repository), history);
    Usage.Report once = report(true);

    UsageRecorder restarted = new UsageRecorder(repository);
    record(restarted, history.subList(1, 3));
    record(restarted, history);

    assertEquals(once, report(true));
  }

  @Test
  void aFailedSaveForgetsTheCacheSoTheRetryCountsEachReadingOnce() {
    List<EventEnvelope<TwinEvent>> history = history();
    UsageRecorder recorder = new UsageRecorder(repository);
    repository.failNextSave = true;

    assertThrows(CompletionException.class, () -> record(recorder, history));
    record(recorder, history);

    assertEquals(100, report(true).total());
  }

  /**
   * Device a: 10 bytes on day 1, then 20 (day 1) and 30 (day 2) in one journal event; device b: 40
   * on day 2, then deleted; another organization's device: 1,000 on day 1.
   */
  private static List<EventEnvelope<TwinEvent>> history() {
    return new TwinEventHistory(DAY1)
        .add(A, reading(10, DAY1))
        .add(A, new EventsRecorded(List.of(reading(20, DAY1), reading(30, DAY2))))
        .add(B, reading(40, DAY2))
        .add(B, new TwinEvent.DeviceDeleted(DAY2))
        .add(ELSEWHERE, reading(1000, DAY1))
        .envelopes();
  }

  private static EventRecorded reading(int bytes, Instant receivedAt) {
    return new EventRecorded("status", "json", new byte[bytes], receivedAt, receivedAt);
  }

  private static void record(UsageRecorder recorder, List<EventEnvelope<TwinEvent>> envelopes) {
    recorder.record(envelopes).toCompletableFuture().join();
  }

  private Usage.Report report(boolean bytes) {
    LocalDate start = LocalDate.of(2026, 12, 1);
    LocalDate end = LocalDate.of(2026, 12, 2);
    return (bytes ? usage.eventBytes("acme", start, end) : usage.activeDevices("acme", start, end))
        .toCompletableFuture()
        .join();
  }

  private static List<Long> totals(Usage.Report report) {
    return report.days().stream().map(Usage.Day::total).toList();
  }
}

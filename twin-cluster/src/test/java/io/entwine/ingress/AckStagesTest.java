package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.entwine.protocol.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one acknowledgement's stamps become stages, and the ring that keeps the slow ones. */
class AckStagesTest {
  private static final Instant RECEIVED = Instant.parse("2026-12-07T22:00:00.000100Z");
  private static final long RECEIVED_NANOS = RECEIVED.getEpochSecond() * 1_000_000_000L + 100_000;
  private static final long MS = 1_000_000L;

  @Test
  void splitsAnAcknowledgementIntoStagesThatSumToItsTotal() {
    AckStages timing = new AckStages(RECEIVED);
    timing.askedAt = RECEIVED_NANOS + 2 * MS;
    Reply.Done done =
        new Reply.Done(RECEIVED_NANOS + 7 * MS, RECEIVED_NANOS + 8 * MS, RECEIVED_NANOS + 68 * MS);

    long total = timing.split(done, RECEIVED_NANOS + 70 * MS);

    assertEquals(70 * MS, total);
    assertEquals(List.of(2 * MS, 5 * MS, 1 * MS, 60 * MS, 2 * MS), stages(timing));
    SlowAcknowledgements.Record record = timing.record("http", 1, total);
    assertEquals(RECEIVED, record.receivedAt());
    assertEquals(70.0, record.totalMillis());
    assertEquals(2.0, record.admissionMillis());
    assertEquals(5.0, record.toTwinMillis());
    assertEquals(1.0, record.handlerMillis());
    assertEquals(60.0, record.journalMillis());
    assertEquals(2.0, record.replyMillis());
  }

  @Test
  void aTwinOnANodeWhoseClockIsBehindCountsNoNegativeStage() {
    AckStages timing = new AckStages(RECEIVED);
    timing.askedAt = RECEIVED_NANOS + 2 * MS;
    // the twin's clock runs 3 ms behind the gateway's: it saw the command "before" the ask
    Reply.Done done =
        new Reply.Done(RECEIVED_NANOS + 1 * MS, RECEIVED_NANOS + 2 * MS, RECEIVED_NANOS + 9 * MS);

    timing.split(done, RECEIVED_NANOS + 14 * MS);

    assertEquals(List.of(2 * MS, 0L, 1 * MS, 7 * MS, 5 * MS), stages(timing));
  }

  @Test
  void anAnswerWithoutStampsCountsEverythingAfterTheAskAsReply() {
    AckStages timing = new AckStages(RECEIVED);
    timing.askedAt = RECEIVED_NANOS + 3 * MS;

    long total = timing.split(new Reply.Done(), RECEIVED_NANOS + 53 * MS);

    assertEquals(53 * MS, total);
    assertEquals(List.of(3 * MS, 0L, -1L, -1L, 50 * MS), stages(timing));
    SlowAcknowledgements.Record record = timing.record("mqtt", 3, total);
    assertNull(record.toTwinMillis());
    assertNull(record.journalMillis());
    assertEquals(50.0, record.replyMillis());
  }

  @Test
  void stampsAreNotPartOfTheAnswer() {
    assertEquals(new Reply.Done(), new Reply.Done(1, 2, 3));
    assertTrue(new Reply.Done(1, 2, 3).stamped());
    assertFalse(new Reply.Done().stamped());
  }

  @Test
  void theRingKeepsTheNewestSlowAcknowledgementsOldestFirst() {
    SlowAcknowledgements slow = new SlowAcknowledgements(Duration.ofMillis(50), 2);
    assertFalse(slow.isSlow(49 * MS));
    assertTrue(slow.isSlow(50 * MS));

    for (int events = 1; events <= 3; events++) {
      slow.add(new SlowAcknowledgements.Record(RECEIVED, "http", events, 60, 0, 0.0, 0.0, 60.0, 0));
    }

    SlowAcknowledgements.Snapshot snapshot = slow.snapshot();
    assertEquals(3, snapshot.seen());
    assertEquals(50.0, snapshot.thresholdMillis());
    assertEquals(
        List.of(2, 3),
        snapshot.records().stream().map(SlowAcknowledgements.Record::events).toList());
  }

  private static List<Long> stages(AckStages timing) {
    return java.util.Arrays.stream(timing.stages).boxed().toList();
  }
}

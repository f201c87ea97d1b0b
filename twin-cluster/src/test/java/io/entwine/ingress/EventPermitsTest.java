package io.entwine.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class EventPermitsTest {

  /** A recording that stays open until the test completes it, and notes when it started. */
  private static final class Recording {
    final String name;
    final List<String> started;
    final CompletableFuture<String> persisted = new CompletableFuture<>();

    Recording(String name, List<String> started) {
      this.name = name;
      this.started = started;
    }

    CompletionStage<String> start() {
      started.add(name);
      return persisted;
    }
  }

  private final List<String> started = new ArrayList<>();

  private Recording recording(String name) {
    return new Recording(name, started);
  }

  @Test
  void recordingsWithinTheLimitStartAtOnce() {
    EventPermits permits = new EventPermits(10);
    permits.run(4, recording("a")::start);
    permits.run(6, recording("b")::start);

    assertEquals(List.of("a", "b"), started);
    assertEquals(10, permits.inFlight());
    assertEquals(0, permits.waiting());
  }

  @Test
  void aRecordingOverTheLimitWaitsUntilEarlierOnesArePersisted() {
    EventPermits permits = new EventPermits(10);
    Recording first = recording("first");
    permits.run(8, first::start);
    CompletionStage<String> second = permits.run(4, recording("second")::start);

    assertEquals(List.of("first"), started);
    assertEquals(1, permits.waiting());

    first.persisted.complete("first done");

    assertEquals(List.of("first", "second"), started);
    assertEquals(4, permits.inFlight());
    assertFalse(second.toCompletableFuture().isDone());
  }

  @Test
  void waitingRecordingsStartInArrivalOrderEvenWhenALaterOneWouldFit() {
    EventPermits permits = new EventPermits(10);
    Recording first = recording("first");
    permits.run(9, first::start);
    permits.run(5, recording("large")::start);
    permits.run(1, recording("small")::start);

    assertEquals(List.of("first"), started);

    first.persisted.complete("done");

    assertEquals(List.of("first", "large", "small"), started);
    assertEquals(6, permits.inFlight());
  }

  @Test
  void aRecordingLargerThanTheLimitRunsAloneInsteadOfNever() {
    EventPermits permits = new EventPermits(10);
    Recording small = recording("small");
    permits.run(2, small::start);
    permits.run(32, recording("batch")::start);

    assertEquals(List.of("small"), started);

    small.persisted.complete("done");

    assertEquals(List.of("small", "batch"), started);
    assertEquals(10, permits.inFlight());
  }

  @Test
  void failedRecordingsGiveTheirPermitsBack() {
    EventPermits permits = new EventPermits(10);
    Recording failing = recording("failing");
    CompletionStage<String> failed = permits.run(10, failing::start);
    CompletionStage<String> thrown =
        permits.run(
            10,
            () -> {
              throw new IllegalStateException("twin unreachable");
            });
    permits.run(10, recording("after")::start);

    failing.persisted.completeExceptionally(new IllegalStateException("journal failed"));

    assertTrue(failed.toCompletableFuture().isCompletedExceptionally());
    assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
    assertEquals(List.of("failing", "after"), started);
    assertEquals(10, permits.inFlight());
  }

  @Test
  void theResultIsTheRecordingsReply() {
    EventPermits permits = new EventPermits(1);
    Recording only = recording("only");
    CompletionStage<String> reply = permits.run(1, only::start);

    only.persisted.complete("persisted");

    assertEquals("persisted", reply.toCompletableFuture().join());
    assertEquals(0, permits.inFlight());
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new EventPermits(0));
  }
}

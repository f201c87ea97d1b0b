package io.entwine.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsyncPermitsTest {

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
    AsyncPermits permits = new AsyncPermits("test limit", 10);
    permits.run(4, recording("a")::start);
    permits.run(6, recording("b")::start);

    assertEquals(List.of("a", "b"), started);
    assertEquals(10, permits.inFlight());
    assertEquals(0, permits.waiting());
  }

  @Test
  void aRecordingOverTheLimitWaitsUntilEarlierOnesArePersisted() {
    AsyncPermits permits = new AsyncPermits("test limit", 10);
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
    AsyncPermits permits = new AsyncPermits("test limit", 10);
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
    AsyncPermits permits = new AsyncPermits("test limit", 10);
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
    AsyncPermits permits = new AsyncPermits("test limit", 10);
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
    AsyncPermits permits = new AsyncPermits("test limit", 1);
    Recording only = recording("only");
    CompletionStage<String> reply = permits.run(1, only::start);

    only.persisted.complete("persisted");

    assertEquals("persisted", reply.toCompletableFuture().join());
    assertEquals(0, permits.inFlight());
  }

  @Test
  void callsOfWeightOneStartAtMostTheLimitAndTheRestAsEarlierCallsComplete() {
    AsyncPermits permits = new AsyncPermits("test limit", 3);
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    AtomicInteger startedCalls = new AtomicInteger();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      CompletableFuture<Integer> call = new CompletableFuture<>();
      calls.add(call);
      results.add(
          permits.run(
              1,
              () -> {
                startedCalls.incrementAndGet();
                return call;
              }));
    }
    assertEquals(3, startedCalls.get());
    calls.get(0).complete(0);
    calls.get(1).completeExceptionally(new IllegalStateException("failed"));
    assertEquals(5, startedCalls.get());
    for (int i = 2; i < 10; i++) {
      calls.get(i).complete(i);
    }
    assertEquals(10, startedCalls.get());
    assertEquals(9, results.get(9).join());
    assertThrows(CompletionException.class, () -> results.get(1).join());
    assertTrue(results.stream().allMatch(CompletableFuture::isDone));
  }

  @Test
  void aLimitBelowOneIsRefused() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> new AsyncPermits("test limit", 0));
    assertEquals("test limit must be positive", refused.getMessage());
  }
}

package io.entwine.historian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {

  @Test
  void startsAtMostTheLimitAndTheRestAsEarlierCallsComplete() {
    AsyncLimiter limiter = new AsyncLimiter(3);
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    AtomicInteger started = new AtomicInteger();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      CompletableFuture<Integer> call = new CompletableFuture<>();
      calls.add(call);
      results.add(
          limiter.run(
              () -> {
                started.incrementAndGet();
                return call;
              }));
    }
    assertEquals(3, started.get());
    calls.get(0).complete(0);
    calls.get(1).completeExceptionally(new IllegalStateException("failed"));
    assertEquals(5, started.get());
    for (int i = 2; i < 10; i++) {
      calls.get(i).complete(i);
    }
    assertEquals(10, started.get());
    assertEquals(9, results.get(9).join());
    Assertions.assertThrows(CompletionException.class, () -> results.get(1).join());
    assertTrue(results.stream().allMatch(CompletableFuture::isDone));
  }
}

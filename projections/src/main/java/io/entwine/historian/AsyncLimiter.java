package io.entwine.historian;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs asynchronous calls with at most {@code limit} in flight; the rest wait in order. The
 * historian's writes go through one per node so that a large batch cannot fill the driver's
 * connections beside the journal (DESIGN.md: more than about 500 requests in flight fill a
 * connection and open the journal's circuit breaker).
 */
final class AsyncLimiter {
  private final int limit;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int inFlight;

  AsyncLimiter(int limit) {
    this.limit = limit;
  }

  <T> CompletableFuture<T> run(Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start =
        () -> {
          CompletionStage<T> started;
          try {
            started = call.get();
          } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
          }
          started.whenComplete(
              (value, failure) -> {
                release();
                if (failure != null) {
                  result.completeExceptionally(failure);
                } else {
                  result.complete(value);
                }
              });
        };
    boolean now;
    synchronized (this) {
      now = inFlight < limit;
      if (now) {
        inFlight++;
      } else {
        waiting.add(start);
      }
    }
    if (now) {
      start.run();
    }
    return result;
  }

  private void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.run();
    }
  }
}

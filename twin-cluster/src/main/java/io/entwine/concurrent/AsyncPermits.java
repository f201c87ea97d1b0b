package io.entwine.concurrent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs asynchronous calls while at most {@code limit} permits are in use; a call takes as many as
 * it weighs (at least one, at most the limit) and gives them back when it completes. The rest wait
 * in arrival order, even when a later one would fit.
 *
 * <p>Two bounds use it: the device events a node has handed to its twins and not yet seen persisted
 * (TwinGateway, docs/adr/0034: without it, QoS 0 publishers outran the journal until its circuit
 * breaker opened for every twin), and the historian's Cassandra writes per node (so that a large
 * batch cannot fill the driver's connections beside the journal: docs/performance.md, "The stack
 * measured bare").
 */
public final class AsyncPermits {
  private final int limit;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inUse;

  private record Waiting(int permits, CompletableFuture<Void> granted) {}

  /** {@code name} names the limit in the error a limit below one gets (e.g. its setting). */
  public AsyncPermits(String name, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    this.limit = limit;
  }

  /**
   * Runs {@code call} once {@code weight} permits are free (a call weighing more than the limit
   * waits until nothing else runs); its result, after the permits are given back.
   */
  public <T> CompletableFuture<T> run(int weight, Supplier<CompletionStage<T>> call) {
    int permits = Math.max(1, Math.min(weight, limit));
    CompletableFuture<Void> granted = null;
    synchronized (this) {
      if (waiting.isEmpty() && inUse + permits <= limit) {
        inUse += permits;
      } else {
        granted = new CompletableFuture<>();
        waiting.addLast(new Waiting(permits, granted));
      }
    }
    if (granted == null) {
      return start(permits, call);
    }
    // Completed by release(), on the thread whose call finished: no executor is involved.
    return granted.thenCompose(ignored -> start(permits, call));
  }

  /** Permits held by running calls. */
  public synchronized int inFlight() {
    return inUse;
  }

  /** Calls waiting for earlier ones to finish. */
  public synchronized int waiting() {
    return waiting.size();
  }

  private <T> CompletableFuture<T> start(int permits, Supplier<CompletionStage<T>> call) {
    CompletionStage<T> started;
    try {
      started = call.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.whenComplete((result, failure) -> release(permits)).toCompletableFuture();
  }

  private void release(int permits) {
    List<CompletableFuture<Void>> granted = new ArrayList<>();
    synchronized (this) {
      inUse -= permits;
      while (!waiting.isEmpty() && inUse + waiting.peekFirst().permits() <= limit) {
        Waiting next = waiting.pollFirst();
        inUse += next.permits();
        granted.add(next.granted());
      }
    }
    granted.forEach(next -> next.complete(null));
  }
}

package io.entwine.ingress;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Bounds the device events a node has handed to its twins and not yet seen persisted, across all
 * protocols and connections. Clients that do not wait for an acknowledgement (MQTT QoS 0) could
 * otherwise keep the journal's queues growing until its tag writes time out and its circuit breaker
 * opens for every twin (docs/adr/0034). A recording over the limit waits, in arrival order, for
 * earlier ones to finish; an MQTT connection whose publishes wait stops being read, so the client
 * is held back through TCP.
 */
public final class EventPermits {
  private final int limit;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int inUse;

  private record Waiting(int events, CompletableFuture<Void> granted) {}

  public EventPermits(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("max-events-in-flight must be positive");
    }
    this.limit = limit;
  }

  /**
   * Runs {@code record}, which records {@code events} events, once they fit under the limit (a
   * recording of more events than the limit waits until nothing else is in flight).
   */
  public <T> CompletionStage<T> run(int events, Supplier<CompletionStage<T>> record) {
    int permits = Math.max(1, Math.min(events, limit));
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
      return start(permits, record);
    }
    // Completed by release(), on the thread whose recording finished: no executor is involved.
    return granted.thenCompose(ignored -> start(permits, record));
  }

  /** Events handed to twins and not answered yet. */
  public synchronized int inFlight() {
    return inUse;
  }

  /** Recordings waiting for earlier ones to finish. */
  public synchronized int waiting() {
    return waiting.size();
  }

  private <T> CompletionStage<T> start(int permits, Supplier<CompletionStage<T>> record) {
    CompletionStage<T> started;
    try {
      started = record.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.whenComplete((result, failure) -> release(permits));
  }

  private void release(int permits) {
    List<CompletableFuture<Void>> granted = new ArrayList<>();
    synchronized (this) {
      inUse -= permits;
      while (!waiting.isEmpty() && inUse + waiting.peekFirst().events() <= limit) {
        Waiting next = waiting.pollFirst();
        inUse += next.events();
        granted.add(next.granted());
      }
    }
    granted.forEach(next -> next.complete(null));
  }
}

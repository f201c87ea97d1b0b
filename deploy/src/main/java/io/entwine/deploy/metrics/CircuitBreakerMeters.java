package io.entwine.deploy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Predicate;
import org.apache.pekko.pattern.CircuitBreaker;

/**
 * A Pekko circuit breaker's state as gauges, {@code entwine_journal_circuit_breaker_state} with
 * {@code state} = {@code closed}, {@code open}, {@code half-open} (1 for the current state, 0 for
 * the others), and how often it opened, {@code entwine_journal_circuit_breaker_opened_total}. While
 * the breaker is open every write fails at once without reaching Cassandra: the edges answer 503
 * and withhold PUBACKs until a trial write succeeds (docs/operations.md, "Cassandra").
 */
final class CircuitBreakerMeters {
  static final String STATE = "entwine.journal.circuit.breaker.state";
  static final String OPENED = "entwine.journal.circuit.breaker.opened";

  private final MeterRegistry registry;
  private final List<Meter> meters;

  private CircuitBreakerMeters(MeterRegistry registry, List<Meter> meters) {
    this.registry = registry;
    this.meters = meters;
  }

  static CircuitBreakerMeters register(MeterRegistry registry, CircuitBreaker breaker) {
    Counter opened =
        Counter.builder(OPENED)
            .description("Times the journal's circuit breaker opened after failed or slow writes")
            .register(registry);
    breaker.addOnOpenListener(opened::increment);
    return new CircuitBreakerMeters(
        registry,
        List.of(
            state(registry, breaker, "closed", CircuitBreaker::isClosed),
            state(registry, breaker, "open", CircuitBreaker::isOpen),
            state(registry, breaker, "half-open", CircuitBreaker::isHalfOpen),
            opened));
  }

  private static Gauge state(
      MeterRegistry registry, CircuitBreaker breaker, String state, Predicate<CircuitBreaker> is) {
    return Gauge.builder(STATE, breaker, b -> is.test(b) ? 1 : 0)
        .description("The journal's circuit breaker: 1 for its current state")
        .tag("state", state)
        .register(registry);
  }

  /** Removes the gauges (the journal stopped; a restarted one registers its own breaker's). */
  void remove() {
    meters.stream().filter(Gauge.class::isInstance).forEach(registry::remove);
  }
}

package io.entwine.deploy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.pattern.CircuitBreaker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The journal breaker's gauges follow it from closed to open to half-open and back. */
class CircuitBreakerMetersTest {
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    // Pekko's reference settings only: the node's application.conf would end the test JVM when
    // this system terminates (coordinated-shutdown.exit-jvm)
    system = ActorSystem.create("CircuitBreakerMetersTest", ConfigFactory.defaultReference());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void showsTheBreakersStateAndCountsItsOpenings() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    CircuitBreaker breaker =
        new CircuitBreaker(
            system.dispatcher(),
            system.scheduler(),
            1,
            Duration.ofSeconds(10),
            Duration.ofMillis(200));
    CompletableFuture<Void> halfOpen = new CompletableFuture<>();
    breaker.addOnHalfOpenListener(() -> halfOpen.complete(null));
    CircuitBreakerMeters meters = CircuitBreakerMeters.register(registry, breaker);
    assertState(registry, "closed");

    breaker.fail();
    assertState(registry, "open");
    halfOpen.get(10, TimeUnit.SECONDS);
    assertState(registry, "half-open");
    assertEquals(1.0, registry.get(CircuitBreakerMeters.OPENED).counter().count());

    breaker.succeed();
    assertState(registry, "closed");
    meters.remove();
    assertEquals(null, registry.find(CircuitBreakerMeters.STATE).gauge());
  }

  private static void assertState(MeterRegistry registry, String current) {
    for (String state : new String[] {"closed", "open", "half-open"}) {
      double expected = state.equals(current) ? 1 : 0;
      assertEquals(
          expected,
          registry.get(CircuitBreakerMeters.STATE).tag("state", state).gauge().value(),
          state);
    }
  }
}

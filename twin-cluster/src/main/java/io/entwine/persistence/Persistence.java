package io.entwine.persistence;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/** Persistence choices shared by every entity. */
public final class Persistence {
  /**
   * When the journal fails (Cassandra down, circuit breaker open) an entity restarts with backoff
   * instead of stopping; the waiting caller times out and answers 503, and nothing is acknowledged
   * that was not written.
   */
  public static final BackoffSupervisorStrategy RESTART_ON_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private Persistence() {}
}

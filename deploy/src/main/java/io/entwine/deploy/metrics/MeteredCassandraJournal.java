package io.entwine.deploy.metrics;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.journal.CassandraJournal;

/**
 * pekko-persistence-cassandra's journal with its circuit breaker's state in the node's registry
 * ({@link CircuitBreakerMeters}). Pekko's journals keep the breaker to themselves; its accessor,
 * generated for the Scala trait {@code AsyncWriteJournal}, is public in the bytecode, so a subclass
 * reaches it without reflection ({@code MetricsIT} fails if an upgrade changes it). Named by {@code
 * pekko.persistence.cassandra.journal.class} in persistence.conf.
 */
public final class MeteredCassandraJournal extends CassandraJournal {
  private CircuitBreakerMeters meters;

  public MeteredCassandraJournal(Config config, String configPath) {
    super(config, configPath);
  }

  @Override
  public void preStart() {
    super.preStart();
    meters =
        CircuitBreakerMeters.register(
            NodeMetrics.get(Adapter.toTyped(context().system())).registry(),
            org$apache$pekko$persistence$journal$AsyncWriteJournal$$breaker());
  }

  @Override
  public void postStop() throws Exception {
    if (meters != null) {
      meters.remove();
    }
    super.postStop();
  }
}

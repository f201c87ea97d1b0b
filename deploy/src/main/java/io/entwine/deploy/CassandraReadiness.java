package io.entwine.deploy;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The management endpoint's readiness check ({@code /ready}): the node's Cassandra session answers.
 * Cluster membership is checked by Pekko Management itself.
 */
public final class CassandraReadiness implements Supplier<CompletionStage<Boolean>> {
  private final ActorSystem system;

  public CassandraReadiness(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CassandraSessionRegistry.get(system)
        .sessionFor("pekko.persistence.cassandra")
        .selectOne("SELECT release_version FROM system.local")
        .thenApply(row -> row.isPresent());
  }
}

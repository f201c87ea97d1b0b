package io.entwine.deploy.testing;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For one test class of a repository: a fresh keyspace on the shared Cassandra with the project's
 * schema, and a local actor system whose Cassandra session uses it ({@code @RegisterExtension
 * static final SchemaKeyspace cassandra = new SchemaKeyspace("name");}), terminated after the
 * class.
 */
public final class SchemaKeyspace implements BeforeAllCallback, AfterAllCallback {
  private final String systemName;
  private String keyspace;
  private ActorSystem<Void> system;

  public SchemaKeyspace(String systemName) {
    this.systemName = systemName;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    keyspace = SharedCassandra.newKeyspaceWithSchema();
    system = SharedCassandra.localActorSystem(systemName, keyspace);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public String keyspace() {
    return keyspace;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CassandraSession session() {
    return SharedCassandra.pekkoSession(system);
  }
}

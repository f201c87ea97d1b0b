package io.entwine.deploy.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import io.entwine.deploy.cassandra.CassandraSettings;
import io.entwine.deploy.cassandra.EmbeddedCassandra;
import io.entwine.deploy.cassandra.PortTakenException;
import io.entwine.deploy.cassandra.SchemaApplier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * One Cassandra for all integration tests of a test JVM, started on first use (on a free port, with
 * data in a temporary directory) and stopped by a shutdown hook when the JVM exits. Tests isolate
 * themselves by keyspace: {@link #newKeyspace()} or {@link #newKeyspaceWithSchema()}.
 *
 * <p>Set {@code ENTWINE_IT_CASSANDRA_PORT} to run the tests against a Cassandra that is already
 * running there (e.g. started with {@code EmbeddedCassandraMain}) and skip the start-up.
 */
public final class SharedCassandra {

  public static final String ENV_PORT = "ENTWINE_IT_CASSANDRA_PORT";

  private static EmbeddedCassandra cassandra;

  private SharedCassandra() {}

  /** The shared Cassandra, started on the first call. */
  public static synchronized EmbeddedCassandra get() {
    if (cassandra == null) {
      cassandra = start();
    }
    return cassandra;
  }

  /** A keyspace name no other caller gets, e.g. {@code it_3f9c0a17b2d4e6f1}; not created yet. */
  public static String newKeyspace() {
    return "it_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  /** A fresh keyspace with the project's whole schema applied (journal, snapshots, offsets...). */
  public static String newKeyspaceWithSchema() {
    String keyspace = newKeyspace();
    try (CqlSession session = openSession()) {
      SchemaApplier.apply(session, keyspace, SchemaApplier.SINGLE_NODE_REPLICATION);
    }
    return keyspace;
  }

  /** A new driver session on the shared Cassandra; the caller closes it. */
  public static CqlSession openSession() {
    return get().openSession();
  }

  /**
   * Configuration that points Pekko Persistence (journal, snapshots, events by tag) and Pekko
   * Projection's offset store at the shared Cassandra and the given keyspace, to layer over a
   * test's {@code application.conf}.
   */
  public static String pekkoCassandraConfig(String keyspace) {
    EmbeddedCassandra node = get();
    return """
        datastax-java-driver.basic.contact-points = ["%s:%d"]
        datastax-java-driver.basic.load-balancing-policy.local-datacenter = "%s"
        pekko.persistence.cassandra.journal.keyspace = "%s"
        pekko.persistence.cassandra.snapshot.keyspace = "%s"
        pekko.projection.cassandra.offset-store.keyspace = "%s"
        """
        .formatted(
            node.contactPoint().getHostString(),
            node.nativePort(),
            node.localDatacenter(),
            keyspace,
            keyspace,
            keyspace);
  }

  /**
   * A local actor system (no cluster) whose Pekko Persistence and Projection plugins use {@code
   * keyspace} on the shared Cassandra, for tests of repositories and handlers; the caller
   * terminates it.
   */
  public static ActorSystem<Void> localActorSystem(String name, String keyspace) {
    return ActorSystem.create(
        Behaviors.empty(),
        name,
        ConfigFactory.parseString(
                pekkoCassandraConfig(keyspace)
                    + "pekko.actor.provider = local\n"
                    + "pekko.coordinated-shutdown.exit-jvm = off\n")
            .withFallback(ConfigFactory.load())
            .resolve());
  }

  /** The Cassandra session of {@code system}'s Pekko Persistence plugin. */
  public static CassandraSession pekkoSession(ActorSystem<?> system) {
    return CassandraSessionRegistry.get(system).sessionFor("pekko.persistence.cassandra");
  }

  private static EmbeddedCassandra start() {
    String externalPort = System.getenv(ENV_PORT);
    if (externalPort != null && !externalPort.isBlank()) {
      return EmbeddedCassandra.start(
          CassandraSettings.defaults(Path.of("target", "it-cassandra"))
              .withNativePort(Integer.parseInt(externalPort.strip())));
    }
    Path dataDir = createTempDirectory();
    EmbeddedCassandra started = startOnFreePorts(dataDir);
    // EmbeddedCassandra's own hook also stops it; stop() waits for whichever runs first
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  started.stop();
                  deleteRecursively(dataDir);
                },
                "shared-cassandra-cleanup"));
    return started;
  }

  // Test data only: schema changes are not flushed at once, so keyspaces are created faster. The
  // launcher picks another storage port itself when one is taken; the CQL port is ours to retry.
  private static EmbeddedCassandra startOnFreePorts(Path dataDir) {
    for (int attempt = 1; ; attempt++) {
      try {
        return EmbeddedCassandra.start(
            CassandraSettings.defaults(dataDir)
                .withNativePort(Ports.free())
                .withStoragePort(Ports.free())
                .forThrowawayData());
      } catch (PortTakenException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("entwine-it-cassandra-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("Cannot delete " + dir + ": " + e);
    }
  }
}

package io.entwine.deploy.cassandra;

/**
 * Runs the embedded Cassandra in the foreground until SIGTERM or Ctrl-C, for scripts that share one
 * Cassandra between several Entwine nodes.
 *
 * <p>Environment: {@code ENTWINE_DATA_DIR} (default {@code ./data}; Cassandra keeps its files in
 * the {@code cassandra} subdirectory), {@code ENTWINE_CASSANDRA_PORT} (default 9042), {@code
 * ENTWINE_CASSANDRA_JAVA_HOME} and {@code ENTWINE_CASSANDRA_CLASSPATH} (see {@link
 * CassandraSettings#defaultClasspathFile()}).
 */
public final class EmbeddedCassandraMain {

  private EmbeddedCassandraMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedCassandra cassandra =
        EmbeddedCassandra.start(CassandraSettings.fromEnvironment(System.getenv()));
    if (!cassandra.ownsProcess()) {
      System.out.println(
          "Cassandra already answers CQL on " + cassandra.contactPoint() + "; nothing to start.");
      return;
    }
    System.out.println(
        "Cassandra "
            + cassandra.releaseVersion()
            + " answers CQL on "
            + cassandra.contactPoint()
            + " (pid "
            + cassandra.pid().orElseThrow()
            + "); Ctrl-C or SIGTERM stops it.");
    // the shutdown hook registered by start() stops Cassandra when this JVM is told to exit
    cassandra.awaitTermination();
    if (!cassandra.isStopped()) {
      System.err.println("Cassandra exited on its own; see its logs below the data directory.");
      System.exit(1);
    }
  }
}

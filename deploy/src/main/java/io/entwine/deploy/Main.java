package io.entwine.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.entwine.credentials.Tokens;
import io.entwine.deploy.cassandra.CassandraSettings;
import io.entwine.deploy.cassandra.EmbeddedCassandra;
import org.slf4j.LoggerFactory;

/**
 * {@code deploy/bin/entwine run}: one node, with the embedded Cassandra unless {@code
 * ENTWINE_CASSANDRA_CONTACT_POINTS} names a ring. SIGTERM or Ctrl-C stops both.
 */
public final class Main {
  /** {@code ENTWINE_LOG_FORMAT=json}: every line the node writes is a JSON object (logback.xml). */
  private static final boolean JSON_LOGS = "json".equals(System.getenv("ENTWINE_LOG_FORMAT"));

  private Main() {}

  public static void main(String[] args) {
    sharedAsyncPool();
    try {
      start();
    } catch (Throwable failure) {
      // The actor system's threads would keep a half-started JVM alive, unready for ever, and its
      // Cassandra with it: exit instead, so that the shutdown hooks stop both and a supervisor
      // (systemd, Kubernetes, a test) sees the failure.
      if (JSON_LOGS) {
        LoggerFactory.getLogger(Main.class).error("The node could not start", failure);
      } else {
        System.err.println("entwine: the node could not start: " + failure);
        failure.printStackTrace();
      }
      System.exit(1);
    }
  }

  /**
   * Gives the JDK's common pool a parallelism of at least 2, before anything uses it. With 1 (its
   * default on 2 cores) every {@code CompletableFuture} continuation without an executor starts a
   * thread of its own, and Pekko's futures, as Java sees them, run every continuation that way:
   * libraries' and any the node's code does not give an executor. The fuzz campaign measured about
   * 0.6 thread starts per request (docs/performance.md, "The stack measured bare"). An operator's
   * own {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} is kept.
   */
  static void sharedAsyncPool() {
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(parallelism) == null && Runtime.getRuntime().availableProcessors() < 3) {
      System.setProperty(parallelism, "2");
    }
  }

  private static void start() throws Exception {
    Config config = EntwineNode.config(ConfigFactory.empty());
    boolean tokenGenerated = config.getString("entwine.admin-token").isBlank();
    if (tokenGenerated) {
      config = with(config, "entwine.admin-token", Tokens.secret() + Tokens.secret());
    }
    if (config.getString("entwine.credentials.secret-key").isBlank()) {
      config =
          with(config, "entwine.credentials.secret-key", SecretKeyFile.loadOrCreate(dataDir()));
    }
    EmbeddedCassandra cassandra = null;
    if (config.getString("entwine.cassandra.contact-points").isBlank()) {
      cassandra = EmbeddedCassandra.start(CassandraSettings.fromEnvironment(System.getenv()));
      config = with(config, "entwine.cassandra.contact-points", "127.0.0.1");
      config = with(config, "entwine.cassandra.port", cassandra.nativePort());
    }
    EntwineNode node;
    try {
      node = EntwineNode.start(config);
    } catch (Exception | Error e) {
      if (cassandra != null) {
        cassandra.stop();
      }
      throw e;
    }
    if (cassandra != null) {
      // Ctrl-C/SIGTERM: the node shuts down first (coordinated shutdown), then its Cassandra.
      EmbeddedCassandra ownedCassandra = cassandra;
      cassandra.stopAfter(node.system().getWhenTerminated());
      node.system().getWhenTerminated().thenRun(ownedCassandra::stop);
    }
    printBanner(config, node, cassandra, tokenGenerated);
  }

  private static java.nio.file.Path dataDir() {
    return java.nio.file.Path.of(
        System.getenv().getOrDefault(CassandraSettings.ENV_DATA_DIR, "data"));
  }

  private static Config with(Config config, String path, Object value) {
    return config.withValue(path, ConfigValueFactory.fromAnyRef(value));
  }

  private static void printBanner(
      Config config, EntwineNode node, EmbeddedCassandra cassandra, boolean tokenGenerated) {
    String http = "http://localhost:" + node.httpPort();
    String domain = config.getString("entwine.domain");
    StringBuilder out = new StringBuilder();
    out.append("\nEntwine node is ready.\n");
    out.append("  HTTP API        ").append(http).append('\n');
    node.httpsPort()
        .ifPresent(
            port ->
                out.append("  HTTPS API       https://localhost:")
                    .append(port)
                    .append("  (client certificates for Hono devices)\n"));
    out.append("  Organizations   http://ORG.").append(domain).append(':').append(node.httpPort());
    out.append("  (the organization is the first label of the host)\n");
    out.append("  Console         ").append(http).append("/console/\n");
    out.append("  Health          ").append(http).append("/health/ready\n");
    out.append("  Cassandra       ");
    out.append(
        cassandra == null
            ? config.getString("entwine.cassandra.contact-points")
            : "embedded at 127.0.0.1:" + cassandra.nativePort());
    out.append(", keyspace ").append(config.getString("entwine.cassandra.keyspace")).append('\n');
    if (tokenGenerated) {
      out.append("  Operator token  ").append(config.getString("entwine.admin-token"));
      out.append("  (generated; set ENTWINE_ADMIN_TOKEN to choose one)\n");
    } else {
      out.append("  Operator token  from ENTWINE_ADMIN_TOKEN\n");
    }
    out.append("Stop with Ctrl-C.\n");
    if (JSON_LOGS) {
      LoggerFactory.getLogger(Main.class).info(out.toString().strip());
    } else {
      System.out.println(out);
    }
  }
}

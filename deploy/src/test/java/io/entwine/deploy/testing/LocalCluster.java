package io.entwine.deploy.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.entwine.deploy.cassandra.SchemaApplier;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of {@link NodeProcess}es formed by Pekko Management cluster bootstrap with config
 * discovery, as {@code deploy/bin/entwine cluster start N} forms one: node i on 127.0.0.i
 * (bootstrap counts contact points per host), every port free, one keyspace of a Cassandra the
 * caller chose.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String ADMIN_TOKEN = TestNode.ADMIN_TOKEN;
  public static final String SECRET_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
  private static final int LAUNCH_ATTEMPTS = 3;

  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<String> managementEndpoints = new ArrayList<>();
  private final String keyspace;
  private final int cassandraPort;
  private final Path logDir;
  private final Map<String, String> extraEnv;

  private LocalCluster(
      String keyspace, int cassandraPort, Path logDir, Map<String, String> extraEnv) {
    this.keyspace = keyspace;
    this.cassandraPort = cassandraPort;
    this.logDir = logDir;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  /**
   * Starts {@code size} nodes on a new keyspace (schema applied here, once) of the Cassandra at
   * {@code cassandraPort} and waits until all are ready. {@code extraEnv} reaches every node.
   */
  public static LocalCluster start(
      int size, int cassandraPort, Path logDir, Map<String, String> extraEnv) {
    String keyspace = SharedCassandra.newKeyspace();
    try (CqlSession session = openSession(cassandraPort)) {
      SchemaApplier.apply(session, keyspace, SchemaApplier.SINGLE_NODE_REPLICATION);
    }
    LocalCluster cluster = new LocalCluster(keyspace, cassandraPort, logDir, extraEnv);
    try {
      for (int i = 1; i <= size; i++) {
        cluster.managementEndpoints.add("127.0.0." + i + ":" + freePort("127.0.0." + i));
      }
      for (int i = 1; i <= size; i++) {
        cluster.launch(i, size);
      }
      for (int i = 1; i <= size; i++) {
        cluster.awaitReady(i);
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Starts one more node, as an operator scales out: it finds the running members through cluster
   * bootstrap and joins them. Returns once it is ready (member Up, Cassandra, HTTP).
   */
  public NodeProcess addNode() {
    int i = nodes.size() + 1;
    managementEndpoints.add("127.0.0." + i + ":" + freePort("127.0.0." + i));
    launch(i, 1);
    return awaitReady(i);
  }

  /**
   * Waits until node {@code i} is ready; if it exited because a port was taken after it was chosen,
   * launches it again on new ports. The management port stays: the other nodes' discovery knows it.
   */
  private NodeProcess awaitReady(int i) {
    for (int attempt = 1; ; attempt++) {
      NodeProcess node = nodes.get(i - 1);
      try {
        node.awaitReady(START_TIMEOUT);
        return node;
      } catch (AssertionError e) {
        if (attempt == LAUNCH_ATTEMPTS || !node.failedToBind()) {
          throw e;
        }
        Map<String, String> env = new HashMap<>(node.env());
        env.put("ENTWINE_HTTP_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("ENTWINE_MQTT_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("ENTWINE_MQTTS_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("ENTWINE_MQTT_WS_PORT", Integer.toString(freePort("127.0.0.1")));
        env.put("ENTWINE_CLUSTER_PORT", Integer.toString(freePort("127.0.0." + i)));
        env.putAll(extraEnv);
        nodes.set(i - 1, NodeProcess.launch(i, env, logDir.resolve("node-" + i + ".log")));
      }
    }
  }

  private NodeProcess launch(int i, int requiredContactPoints) {
    Map<String, String> env = new HashMap<>();
    env.put("ENTWINE_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("ENTWINE_SECRET_KEY", SECRET_KEY);
    env.put("ENTWINE_CASSANDRA_CONTACT_POINTS", "127.0.0.1");
    env.put("ENTWINE_CASSANDRA_PORT", Integer.toString(cassandraPort));
    env.put("ENTWINE_CASSANDRA_KEYSPACE", keyspace);
    env.put("ENTWINE_CASSANDRA_APPLY_SCHEMA", "false");
    env.put("ENTWINE_DATA_DIR", logDir.resolve("data-" + i).toString());
    env.put("ENTWINE_HTTP_INTERFACE", "127.0.0.1");
    env.put("ENTWINE_HTTP_PORT", Integer.toString(freePort("127.0.0.1")));
    env.put("ENTWINE_MQTT_INTERFACE", "127.0.0.1");
    env.put("ENTWINE_MQTT_PORT", Integer.toString(freePort("127.0.0.1")));
    env.put("ENTWINE_MQTTS_PORT", Integer.toString(freePort("127.0.0.1")));
    env.put("ENTWINE_MQTT_WS_PORT", Integer.toString(freePort("127.0.0.1")));
    env.put("ENTWINE_CLUSTER_HOST", "127.0.0." + i);
    env.put("ENTWINE_CLUSTER_PORT", Integer.toString(freePort("127.0.0." + i)));
    String managementEndpoint = managementEndpoints.get(i - 1);
    env.put(
        "ENTWINE_MANAGEMENT_PORT",
        managementEndpoint.substring(managementEndpoint.lastIndexOf(':') + 1));
    env.put("ENTWINE_DISCOVERY", "config");
    env.put("ENTWINE_DISCOVERY_ENDPOINTS", String.join(",", managementEndpoints));
    env.put("ENTWINE_REQUIRED_CONTACT_POINTS", Integer.toString(requiredContactPoints));
    env.put("ENTWINE_CLUSTER_LOG_LEVEL", "INFO");
    env.putAll(extraEnv);
    NodeProcess node = NodeProcess.launch(i, env, logDir.resolve("node-" + i + ".log"));
    nodes.add(node);
    return node;
  }

  /** Node {@code i}, 1-based as in {@code entwine cluster}. */
  public NodeProcess node(int i) {
    return nodes.get(i - 1);
  }

  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  public String keyspace() {
    return keyspace;
  }

  /** Stops every node that still runs (graceful leave), all at once. */
  @Override
  public void close() {
    nodes.forEach(NodeProcess::signalStop);
    nodes.forEach(NodeProcess::stop);
  }

  /** A driver session on the Cassandra at {@code port} (schema metadata off: DDL is quick). */
  public static CqlSession openSession(int port) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", port))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .build())
        .build();
  }

  private static int freePort(String host) {
    return Ports.free(host);
  }

  /** Convenience for tests on the shared Cassandra. */
  public static LocalCluster startOnSharedCassandra(
      int size, Path logDir, Map<String, String> extraEnv) {
    return start(size, SharedCassandra.get().nativePort(), logDir, extraEnv);
  }
}

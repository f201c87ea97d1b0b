package io.entwine.deploy.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.internal.core.config.typesafe.DefaultDriverConfigLoader;
import com.datastax.oss.driver.internal.core.config.typesafe.DefaultProgrammaticDriverConfigLoaderBuilder;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Asks an address whether a Cassandra node answers CQL there. */
final class CqlProbe {

  /** What a node says about itself in {@code system.local}. */
  record NodeInfo(String releaseVersion, String datacenter) {}

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private CqlProbe() {}

  /** Whether anything accepts TCP connections at the address. */
  static boolean isListening(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Connects with the Java driver and reads {@code system.local}.
   *
   * @throws com.datastax.oss.driver.api.core.DriverException if nothing speaks CQL there
   */
  static NodeInfo describe(InetSocketAddress address) {
    try (CqlSession session =
        CqlSession.builder().addContactPoint(address).withConfigLoader(probeConfig()).build()) {
      Row row = session.execute("SELECT release_version, data_center FROM system.local").one();
      if (row == null) {
        throw new IllegalStateException("system.local is empty at " + address);
      }
      return new NodeInfo(row.getString("release_version"), row.getString("data_center"));
    }
  }

  /**
   * A session on the node for callers that apply schema or run checks; the caller closes it. It
   * keeps no schema metadata: with it, the driver refreshes the metadata after every DDL statement
   * behind a 1 s debounce, which made applying the schema take ~15 s instead of ~1 s.
   */
  static CqlSession openSession(InetSocketAddress address, String datacenter) {
    return CqlSession.builder()
        .addContactPoint(address)
        .withLocalDatacenter(datacenter)
        .withConfigLoader(
            isolatedConfig()
                .withString(DefaultDriverOption.SESSION_NAME, "entwine-embedded-cassandra")
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .build())
        .build();
  }

  private static DriverConfigLoader probeConfig() {
    return isolatedConfig()
        .withString(DefaultDriverOption.SESSION_NAME, "entwine-cassandra-probe")
        // the probe cannot know the data center of a Cassandra it did not start
        .withString(
            DefaultDriverOption.LOAD_BALANCING_POLICY_CLASS, "DcInferringLoadBalancingPolicy")
        .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, CONNECT_TIMEOUT)
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, HANDSHAKE_TIMEOUT)
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, HANDSHAKE_TIMEOUT)
        .withInt(DefaultDriverOption.NETTY_IO_SIZE, 1)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SIZE, 1)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
        .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
        .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
        .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
        .build();
  }

  // Only the libraries' reference.conf, never the application's datastax-java-driver block: the
  // node's own settings (contact points, auth, profiles) must not leak into the launcher's checks.
  private static ProgrammaticDriverConfigLoaderBuilder isolatedConfig() {
    ClassLoader classLoader = CqlProbe.class.getClassLoader();
    return new DefaultProgrammaticDriverConfigLoaderBuilder(
            () -> ConfigFactory.defaultReference(classLoader),
            DefaultDriverConfigLoader.DEFAULT_ROOT_PATH)
        // closing would otherwise idle 2 s per event loop group before the threads end
        .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
        .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0);
  }
}

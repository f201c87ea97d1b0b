package io.entwine.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import java.net.InetSocketAddress;

/** Sessions to the bench's own Cassandra on loopback. */
final class LocalCassandra {
  private LocalCassandra() {}

  /** Connects with {@code options}; without the driver's schema metadata, which costs seconds. */
  static CqlSession connect(int port, ProgrammaticDriverConfigLoaderBuilder options) {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", port))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(
            options.withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false).build())
        .build();
  }
}

package io.entwine.http.server;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How the HTTP and HTTPS listeners bound slow and greedy clients, from {@code entwine.http}. The
 * total number of connections is pekko-http's own {@code pekko.http.server.max-connections}.
 *
 * @param requestHeaderTimeout a connection waiting longer than this for a complete request head
 *     (after it opened, or after its last response) is closed
 * @param maxConnectionsPerAddress connections one client address may hold open at once; more are
 *     closed as soon as they are accepted
 */
public record ConnectionSettings(Duration requestHeaderTimeout, int maxConnectionsPerAddress) {

  public ConnectionSettings {
    if (requestHeaderTimeout.isNegative()
        || requestHeaderTimeout.isZero()
        || maxConnectionsPerAddress < 1) {
      throw new IllegalArgumentException(
          "entwine.http: request-header-timeout and max-connections-per-address must be positive");
    }
  }

  public static ConnectionSettings from(Config root) {
    Config config = root.getConfig("entwine.http");
    return new ConnectionSettings(
        config.getDuration("request-header-timeout"), config.getInt("max-connections-per-address"));
  }
}

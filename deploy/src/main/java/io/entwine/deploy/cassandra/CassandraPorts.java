package io.entwine.deploy.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Which ports an embedded Cassandra listens on when the configured ones are taken. */
public final class CassandraPorts {
  private static final Logger log = LoggerFactory.getLogger(CassandraPorts.class);

  private CassandraPorts() {}

  /**
   * The configured storage port when it is free, else any free one: the storage port is internal to
   * a single-node Cassandra, and another process on it must not keep the node from starting.
   */
  static int storagePort(CassandraSettings settings) {
    int wanted = settings.storagePort();
    if (wanted != 0 && isFree(settings.listenAddress(), wanted)) {
      return wanted;
    }
    int chosen = free(settings.listenAddress());
    if (wanted != 0) {
      log.info("Storage port {} is busy; Cassandra uses {} instead", wanted, chosen);
    }
    return chosen;
  }

  private static boolean isFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port nothing listens on at the moment, for tests that start their own Cassandra. */
  public static int free(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

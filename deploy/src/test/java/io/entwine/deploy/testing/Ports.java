package io.entwine.deploy.testing;

import io.entwine.deploy.cassandra.EmbeddedCassandra;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports for processes that a test starts and that bind them later. */
public final class Ports {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** A free port on 127.0.0.1; see {@link #free(String)}. */
  public static int free() {
    return free("127.0.0.1");
  }

  /**
   * A port another process binds later, so it must stay free until then: taken below Linux's
   * ephemeral range (32768–60999), where the outgoing connections of every test would otherwise
   * pick it up in between, and never handed out twice by this JVM.
   */
  public static int free(String host) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(20000, 32000);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        HANDED_OUT.add(port);
        return port;
      } catch (IOException taken) {
        // try another one
      }
    }
    return EmbeddedCassandra.freePort(host);
  }
}

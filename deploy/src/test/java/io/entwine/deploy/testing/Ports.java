package io.entwine.deploy.testing;

import io.entwine.deploy.cassandra.CassandraPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for processes that a test starts and that bind them later.
 *
 * <p>A port is free when it is handed out but is bound seconds later, so two test JVMs (parallel
 * suites, other worktrees on the same machine) could both pick it. Each port handed out is
 * therefore reserved machine-wide by a lock on a file named after it in {@code
 * $TMPDIR/entwine-test-ports}, held until this JVM exits (the operating system drops it however the
 * JVM ends); other JVMs skip reserved ports. Something that is not an Entwine test can still take a
 * port in between: the launchers retry with other ports when a bind fails.
 */
public final class Ports {
  private static final Path RESERVATIONS =
      Path.of(System.getProperty("java.io.tmpdir"), "entwine-test-ports");
  // Every port this JVM tried: a POSIX lock belongs to the process, and closing any channel on
  // the file drops it, so the file of a port is opened at most once per JVM.
  private static final Set<Integer> TRIED = ConcurrentHashMap.newKeySet();
  // the reservations of this JVM; their channels stay open so that their locks stay held
  private static final Map<Integer, FileChannel> HELD = new ConcurrentHashMap<>();

  private Ports() {}

  /** A free port on 127.0.0.1; see {@link #free(String)}. */
  public static int free() {
    return free("127.0.0.1");
  }

  /**
   * A port another process binds later, so it must stay free until then: taken below Linux's
   * ephemeral range (32768–60999), where the outgoing connections of every test would otherwise
   * pick it up in between, and never handed out twice on this machine while this JVM runs.
   */
  public static int free(String host) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(20000, 32000);
      if (!TRIED.add(port) || !reserve(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
        return port;
      } catch (IOException taken) {
        // bound by something else: keep the reservation (it is useless to others) and go on
      }
    }
    return CassandraPorts.free(host);
  }

  private static boolean reserve(int port) {
    try {
      Files.createDirectories(RESERVATIONS);
      FileChannel channel =
          FileChannel.open(
              RESERVATIONS.resolve(Integer.toString(port)),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      try {
        if (channel.tryLock() != null) {
          HELD.put(port, channel);
          return true;
        }
      } catch (IOException lockFailed) {
        // treated as reserved elsewhere
      }
      channel.close();
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}

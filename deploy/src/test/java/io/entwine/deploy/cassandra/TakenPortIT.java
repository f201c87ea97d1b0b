package io.entwine.deploy.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.entwine.deploy.testing.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port the launcher found free is taken by another process before Cassandra binds it, seconds
 * later — as when two nodes start at once on one machine. The test takes the port the moment the
 * launcher has written it into {@code cassandra.yaml}, which is before Cassandra starts.
 */
class TakenPortIT {
  private static final Pattern STORAGE_PORT = Pattern.compile("(?m)^storage_port: (\\d+)$");

  @Test
  void startsOnAnotherStoragePortWhenItsOwnIsTakenBeforeCassandraBindsIt(@TempDir Path dataDir)
      throws Exception {
    int storagePort = Ports.free();
    CassandraSettings settings =
        CassandraSettings.defaults(dataDir)
            .withNativePort(Ports.free())
            .withStoragePort(storagePort)
            .forThrowawayData();

    try (PortThief thief = PortThief.takeOnceConfigured(dataDir, storagePort)) {
      EmbeddedCassandra cassandra = EmbeddedCassandra.start(settings);
      try {
        assertTrue(thief.tookIt(), "the test held port " + storagePort + " before Cassandra");
        int used = configuredStoragePort(dataDir);
        assertNotEquals(storagePort, used);
        try (CqlSession session = cassandra.openSession()) {
          assertEquals(
              used,
              session.execute("SELECT listen_port FROM system.local").one().getInt(0),
              "Cassandra listens on the port the launcher chose instead");
        }
      } finally {
        cassandra.stop();
      }
    }
  }

  @Test
  void namesTheCqlPortWhenItIsTakenBeforeCassandraBindsIt(@TempDir Path dataDir) throws Exception {
    int nativePort = Ports.free();
    CassandraSettings settings =
        CassandraSettings.defaults(dataDir)
            .withNativePort(nativePort)
            .withStoragePort(Ports.free())
            .forThrowawayData();

    try (PortThief thief = PortThief.takeOnceConfigured(dataDir, nativePort)) {
      PortTakenException failure =
          assertThrows(PortTakenException.class, () -> EmbeddedCassandra.start(settings));

      assertTrue(thief.tookIt());
      assertEquals(nativePort, failure.port());
      assertTrue(failure.getMessage().contains("ENTWINE_CASSANDRA_PORT"), failure.getMessage());
      Optional<DataDirLock> lock = DataDirLock.tryAcquire(settings.dataDir());
      assertTrue(lock.isPresent(), "the failed start left the data directory to the next one");
      lock.get().close();
    }
  }

  private static int configuredStoragePort(Path dataDir) throws IOException {
    Matcher port =
        STORAGE_PORT.matcher(Files.readString(dataDir.resolve("conf").resolve("cassandra.yaml")));
    assertTrue(port.find());
    return Integer.parseInt(port.group(1));
  }

  /** Binds a port once the launcher's first {@code cassandra.yaml} exists, and holds it. */
  private static final class PortThief implements AutoCloseable {
    private final CompletableFuture<ServerSocket> socket;

    private PortThief(CompletableFuture<ServerSocket> socket) {
      this.socket = socket;
    }

    static PortThief takeOnceConfigured(Path dataDir, int port) {
      Path yaml = dataDir.resolve("conf").resolve("cassandra.yaml");
      return new PortThief(
          CompletableFuture.supplyAsync(
              () -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!Files.exists(yaml) && System.nanoTime() < deadline) {
                  // a 1 ms poll: the launcher writes the file seconds before Cassandra binds
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                try {
                  return new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
                } catch (IOException e) {
                  throw new IllegalStateException("cannot take port " + port, e);
                }
              }));
    }

    boolean tookIt() throws Exception {
      return socket.get(10, TimeUnit.SECONDS).isBound();
    }

    @Override
    public void close() throws Exception {
      socket.get(60, TimeUnit.SECONDS).close();
    }
  }
}
